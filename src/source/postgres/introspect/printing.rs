//! Index expressions, index predicates and check constraints, printed once per distinct form.
//!
//! PostgreSQL prints these from their stored node trees (`pg_get_expr`, `pg_get_indexdef`), and
//! printing one opens its table: a backend builds its cache entry for a table the first time,
//! which was most of the indexes' and constraints' queries at 10,000 tables. Those queries return
//! the trees instead. Two trees that are equal but for their `:location` fields (offsets into the
//! statement that created them, which printing never reads) and whose columns have the same names
//! print the same text: everything else printing reads (types, functions, operators, collations,
//! constants) is in the tree itself. So each distinct form is printed once, on one of its objects,
//! by one query ([`super::catalog::PRINT_EXPRESSIONS`]). A tree that refers to its table in any
//! other way than by a user column (a whole-row or system column, an outer query) is printed on its
//! own object.

use std::collections::HashMap;

use crate::schema::Text;

/// How the server prints an expression, which is part of its form: an index key is printed with
/// the pretty flags of `pg_get_indexdef`, the others with `pg_get_expr`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Printer {
    /// An expression key of an index: `pg_get_indexdef(index, position, true)`.
    IndexKey,
    /// An index's `WHERE`: `pg_get_expr(indpred, indrelid)`.
    Predicate,
    /// A check constraint's expression: `pg_get_expr(conbin, conrelid)`.
    Check,
}

impl Printer {
    /// The code [`super::catalog::PRINT_EXPRESSIONS`] takes.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::IndexKey => "k",
            Self::Predicate => "p",
            Self::Check => "c",
        }
    }
}

/// A stored node tree, by its place in [`Trees`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TreeId(u32);

/// The distinct node trees read, without their `:location` fields, each with the user columns
/// it refers to. At 10,000 tables of the same few shapes, the trees of 30,000 expressions are a
/// handful of strings.
#[derive(Debug, Default)]
pub struct Trees {
    ids: HashMap<Box<str>, TreeId>,
    /// By id: the column numbers the tree refers to, sorted and once each; `None` when it
    /// refers to its table in another way too.
    columns: Vec<Option<Vec<i16>>>,
}

impl Trees {
    /// The id of `tree` (as the catalog gives it), keeping it if it is new.
    pub fn intern(&mut self, tree: &str) -> TreeId {
        let stripped = without_locations(tree);
        if let Some(&id) = self.ids.get(stripped.as_str()) {
            return id;
        }
        let id = TreeId(u32::try_from(self.columns.len()).unwrap_or(u32::MAX));
        self.columns.push(user_columns(&stripped));
        self.ids.insert(stripped.into_boxed_str(), id);
        id
    }

    fn columns(&self, tree: TreeId) -> Option<&[i16]> {
        self.columns
            .get(tree.0 as usize)
            .and_then(|columns| columns.as_deref())
    }
}

/// `tree` without its `:location N` fields.
fn without_locations(tree: &str) -> String {
    const FIELD: &str = " :location ";
    let mut out = String::with_capacity(tree.len());
    let mut rest = tree;
    while let Some(at) = rest.find(FIELD) {
        out.push_str(&rest[..at]);
        let value = &rest[at + FIELD.len()..];
        let sign = usize::from(value.starts_with('-'));
        let digits = value[sign..].bytes().take_while(u8::is_ascii_digit).count();
        rest = &value[sign + digits..];
    }
    out.push_str(rest);
    out
}

/// The user columns a tree's `Var` nodes name: `None` when one names something else (a
/// whole-row or system column, another range table entry, an outer query), whose printing may
/// read more of the table than its columns' names.
fn user_columns(tree: &str) -> Option<Vec<i16>> {
    let mut columns = Vec::new();
    for var in tree.split("{VAR ").skip(1) {
        let var = var.split('}').next().unwrap_or(var);
        let field = |name: &str| -> Option<i64> {
            let mut words = var.split_ascii_whitespace();
            words.find(|word| *word == name)?;
            words.next()?.parse().ok()
        };
        let (varno, attno, levels) = (
            field(":varno")?,
            field(":varattno")?,
            field(":varlevelsup")?,
        );
        if varno != 1 || levels != 0 || attno <= 0 {
            return None;
        }
        columns.push(i16::try_from(attno).ok()?);
    }
    columns.sort_unstable();
    columns.dedup();
    Some(columns)
}

/// An expression to be printed: which printer, on which object (an index or a constraint) and,
/// for an index key, its position (else 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub printer: Printer,
    pub object: u32,
    pub position: i32,
}

/// What makes two expressions print the same.
#[derive(Debug, PartialEq, Eq, Hash)]
struct FormKey {
    printer: Printer,
    tree: TreeId,
    /// An index key's place among its index's expressions (the tree holds them all).
    ordinal: usize,
    context: Context,
}

#[derive(Debug, PartialEq, Eq, Hash)]
enum Context {
    /// The names of the columns the tree refers to, in column-number order.
    Names(Vec<Text>),
    /// Only this table's: printed on its own.
    Relation(u32),
}

/// A distinct form, by its place in the [`Forms`] and in the printed texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormId(usize);

/// The distinct forms of the expressions read, one [`Request`] each.
#[derive(Debug, Default)]
pub struct Forms {
    ids: HashMap<FormKey, FormId>,
    requests: Vec<Request>,
}

/// An expression, for [`Forms::form`].
#[derive(Debug, Clone, Copy)]
pub struct Expression {
    pub printer: Printer,
    pub tree: TreeId,
    /// For an index key, its place among the index's expressions; else 0.
    pub ordinal: usize,
    /// The table it belongs to.
    pub relation: u32,
    /// The index or constraint to print it on, and the key's position.
    pub object: u32,
    pub position: i32,
}

impl Forms {
    /// The form of `expression`, whose tree is in `trees` and whose columns are named by
    /// `column_name` (by relation and number); a new form is printed on `expression`'s object.
    pub fn form(
        &mut self,
        expression: Expression,
        trees: &Trees,
        column_name: impl Fn(u32, i16) -> Option<Text>,
    ) -> FormId {
        let names = trees.columns(expression.tree).and_then(|numbers| {
            numbers
                .iter()
                .map(|&n| column_name(expression.relation, n))
                .collect::<Option<Vec<Text>>>()
        });
        let key = FormKey {
            printer: expression.printer,
            tree: expression.tree,
            ordinal: expression.ordinal,
            context: names.map_or(Context::Relation(expression.relation), Context::Names),
        };
        let next = FormId(self.requests.len());
        *self.ids.entry(key).or_insert_with(|| {
            self.requests.push(Request {
                printer: expression.printer,
                object: expression.object,
                position: expression.position,
            });
            next
        })
    }

    /// One request per form, in [`FormId`] order.
    #[must_use]
    pub fn requests(&self) -> &[Request] {
        &self.requests
    }
}

/// The printed text of each form, in [`FormId`] order.
#[derive(Debug, Default)]
pub struct Printed(Vec<String>);

impl Printed {
    /// The texts the server printed for [`Forms::requests`], in their order.
    ///
    /// # Errors
    /// What is wrong, when their number is not the requests' or the server printed nothing for
    /// an object (gone while it was read).
    pub fn new(texts: Vec<Option<String>>, forms: &Forms) -> Result<Self, String> {
        if texts.len() != forms.requests.len() {
            return Err(format!(
                "{} texts for {} expressions",
                texts.len(),
                forms.requests.len()
            ));
        }
        texts
            .into_iter()
            .zip(&forms.requests)
            .map(|(text, request)| {
                text.ok_or_else(|| {
                    format!(
                        "no text for an expression of object {} (dropped while it was read?)",
                        request.object
                    )
                })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The text of `form`.
    #[must_use]
    pub fn text(&self, form: FormId) -> String {
        self.0.get(form.0).cloned().unwrap_or_default()
    }
}

#[allow(clippy::unwrap_used)]
#[cfg(test)]
mod tests {
    use super::*;

    const CHECK: &str = "{OPEXPR :opno 1757 :opfuncid 1721 :opresulttype 16 :opretset false \
        :opcollid 0 :inputcollid 0 :args ({VAR :varno 1 :varattno 6 :vartype 1700 \
        :vartypmod 786438 :varcollid 0 :varlevelsup 0 :varnosyn 1 :varattnosyn 6 :location 470} \
        {CONST :consttype 1700 :consttypmod -1 :constcollid 0 :constlen -1 :constbyval false \
        :constisnull false :location 481 :constvalue 8 [ 32 0 0 0 0 -128 0 0 ]}) :location 477}";

    /// Column names by relation and number.
    struct Columns(HashMap<(u32, i16), &'static str>);

    impl Columns {
        fn new(tables: &[(u32, &[(i16, &'static str)])]) -> Self {
            let names = tables.iter().flat_map(|(relation, names)| {
                names
                    .iter()
                    .map(|(number, name)| ((*relation, *number), *name))
            });
            Self(names.collect())
        }

        fn name(&self) -> impl Fn(u32, i16) -> Option<Text> + '_ {
            |relation, number| self.0.get(&(relation, number)).map(|n| Text::from(*n))
        }
    }

    fn check(tree: TreeId, relation: u32, object: u32) -> Expression {
        Expression {
            printer: Printer::Check,
            tree,
            ordinal: 0,
            relation,
            object,
            position: 0,
        }
    }

    #[test]
    fn locations_are_left_out_and_nothing_else() {
        assert_eq!(
            without_locations("{A :x 1 :location 47} {B :location -1 :y 2}"),
            "{A :x 1} {B :y 2}"
        );
        assert_eq!(without_locations("{A :locations 3}"), "{A :locations 3}");
        let mut trees = Trees::default();
        let moved = CHECK.replace(":location 470", ":location 12");
        assert_eq!(trees.intern(CHECK), trees.intern(&moved));
        let other_column = CHECK.replace(":varattno 6", ":varattno 7");
        assert_ne!(trees.intern(CHECK), trees.intern(&other_column));
    }

    #[test]
    fn a_tree_names_its_user_columns_or_is_its_tables_own() {
        assert_eq!(user_columns(CHECK), Some(vec![6]));
        assert_eq!(user_columns("{CONST :consttype 23}"), Some(vec![]));
        let two = format!(
            "{{BOOLEXPR :args ({CHECK} {})}}",
            CHECK.replace("varattno 6", "varattno 2")
        );
        assert_eq!(user_columns(&two), Some(vec![2, 6]));
        for own in [
            CHECK.replace(":varattno 6", ":varattno 0"),
            CHECK.replace(":varattno 6", ":varattno -7"),
            CHECK.replace(":varno 1", ":varno 2"),
            CHECK.replace(":varlevelsup 0", ":varlevelsup 1"),
            CHECK.replace(":varlevelsup 0", ""),
        ] {
            assert_eq!(user_columns(&own), None, "{own}");
        }
    }

    #[test]
    fn equal_trees_over_equally_named_columns_are_printed_once() {
        let known = Columns::new(&[
            (1, &[(6, "amount")]),
            (2, &[(6, "amount")]),
            (3, &[(6, "total")]),
        ]);
        let mut trees = Trees::default();
        let tree = trees.intern(CHECK);
        let mut forms = Forms::default();
        let first = forms.form(check(tree, 1, 101), &trees, known.name());
        assert_eq!(forms.form(check(tree, 2, 102), &trees, known.name()), first);
        let renamed = forms.form(check(tree, 3, 103), &trees, known.name());
        assert_ne!(renamed, first);
        let as_predicate = Expression {
            printer: Printer::Predicate,
            ..check(tree, 2, 104)
        };
        assert_ne!(forms.form(as_predicate, &trees, known.name()), first);
        let objects: Vec<u32> = forms.requests().iter().map(|r| r.object).collect();
        assert_eq!(objects, [101, 103, 104]);
    }

    #[test]
    fn a_tree_of_its_own_table_or_an_unknown_column_is_printed_on_its_object() {
        let known = Columns::new(&[(1, &[(6, "amount")]), (2, &[(5, "amount")])]);
        let mut trees = Trees::default();
        let whole_row = trees.intern(&CHECK.replace(":varattno 6", ":varattno 0"));
        let mut forms = Forms::default();
        let a = forms.form(check(whole_row, 1, 101), &trees, known.name());
        let b = forms.form(check(whole_row, 2, 102), &trees, known.name());
        assert_ne!(a, b);
        let plain = trees.intern(CHECK);
        let c = forms.form(check(plain, 2, 103), &trees, known.name());
        let d = forms.form(check(plain, 2, 104), &trees, known.name());
        assert_eq!(c, d, "the same table's own form is printed once");
        assert_eq!(forms.requests().len(), 3);
    }

    #[test]
    fn index_keys_differ_by_their_place_among_the_expressions() {
        let known = Columns::new(&[(1, &[(6, "amount")])]);
        let mut trees = Trees::default();
        let tree = trees.intern(CHECK);
        let key = |ordinal, position| Expression {
            printer: Printer::IndexKey,
            tree,
            ordinal,
            relation: 1,
            object: 200,
            position,
        };
        let mut forms = Forms::default();
        let first = forms.form(key(0, 1), &trees, known.name());
        assert_ne!(forms.form(key(1, 2), &trees, known.name()), first);
        assert_eq!(forms.form(key(0, 3), &trees, known.name()), first);
    }

    #[test]
    fn every_form_needs_its_text() {
        let known = Columns::new(&[(1, &[(6, "amount")])]);
        let mut trees = Trees::default();
        let tree = trees.intern(CHECK);
        let mut forms = Forms::default();
        let form = forms.form(check(tree, 1, 101), &trees, known.name());
        let printed = Printed::new(vec![Some("amount > 0".to_owned())], &forms).unwrap();
        assert_eq!(printed.text(form), "amount > 0");
        assert!(Printed::new(vec![None], &forms).is_err());
        assert!(Printed::new(vec![], &forms).is_err());
    }
}
