//! Questions about one table of the model that safety rules ask, answered from the model alone.

use super::{KeyTarget, Table};

/// The name of an index or PRIMARY KEY / UNIQUE constraint of `table` that can find rows by
/// `columns` with equality, as a foreign key's checks and cascades look up its referencing
/// columns: a btree whose leading key columns are exactly `columns`, in any order, followed by
/// any others. Partial indexes, expression keys, and keys with a non-default operator class or
/// collation do not count, since such an index may not serve a plain `=` on the column. Looks at
/// the primary key first, then unique constraints, then indexes; `None` when nothing fits or
/// `columns` is empty.
#[must_use]
pub fn index_covers<'t>(table: &'t Table, columns: &[String]) -> Option<&'t str> {
    if columns.is_empty() {
        return None;
    }
    let wanted = sorted(columns.iter().map(String::as_str));
    let leads = |keys: &[&str]| {
        keys.len() >= wanted.len() && sorted(keys[..wanted.len()].iter().copied()) == wanted
    };
    let primary_key = table.primary_key.iter().map(|pk| (&pk.name, &pk.columns));
    let unique = table.unique.iter().map(|u| (&u.name, &u.columns));
    let constraint = primary_key.chain(unique).find(|(_, keys)| {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        leads(&keys)
    });
    if let Some((name, _)) = constraint {
        return Some(name);
    }
    table
        .indexes
        .iter()
        .filter(|index| index.method == "btree" && index.predicate.is_none())
        .find(|index| plain_leading_columns(index).is_some_and(|keys| leads(&keys)))
        .map(|index| index.name.as_str())
}

/// The index's key columns up to its first key that is not a plain column (an expression, or a
/// column with its own operator class or collation).
fn plain_leading_columns(index: &super::Index) -> Option<Vec<&str>> {
    let keys: Vec<&str> = index
        .keys
        .iter()
        .map_while(|key| match &key.target {
            KeyTarget::Column(name) if key.opclass.is_none() && key.collation.is_none() => {
                Some(name.as_str())
            }
            _ => None,
        })
        .collect();
    (!keys.is_empty()).then_some(keys)
}

fn sorted<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Deferral, Index, IndexKey, PrimaryKey, Unique};

    fn names(columns: &[&str]) -> Vec<String> {
        columns.iter().map(|c| (*c).to_owned()).collect()
    }

    fn key(column: &str) -> IndexKey {
        IndexKey::column(column)
    }

    fn index(name: &str, keys: Vec<IndexKey>) -> Index {
        Index::btree(name, keys)
    }

    fn table_with(indexes: Vec<Index>) -> Table {
        Table {
            indexes,
            ..Table::default()
        }
    }

    #[test]
    fn leading_columns_in_any_order_cover_the_key() {
        let table = table_with(vec![index(
            "lines_shop_order",
            vec![key("shop"), key("order_id"), key("created")],
        )]);
        let covered = |columns: &[&str]| index_covers(&table, &names(columns));
        assert_eq!(covered(&["order_id", "shop"]), Some("lines_shop_order"));
        assert_eq!(covered(&["shop"]), Some("lines_shop_order"));
        assert_eq!(
            covered(&["shop", "order_id", "created"]),
            Some("lines_shop_order")
        );
        // Not leading, or more columns than the index has.
        assert_eq!(covered(&["order_id"]), None);
        assert_eq!(covered(&["shop", "created"]), None);
        assert_eq!(covered(&["shop", "order_id", "created", "x"]), None);
        assert_eq!(covered(&[]), None);
    }

    #[test]
    fn primary_key_then_unique_constraints_are_found_first() {
        let mut table = table_with(vec![index("orders_id_idx", vec![key("id")])]);
        table.unique.push(Unique {
            name: "orders_id_key".into(),
            columns: names(&["id"]),
            include: Vec::new(),
            nulls_not_distinct: false,
            deferral: Deferral::default(),
        });
        assert_eq!(index_covers(&table, &names(&["id"])), Some("orders_id_key"));
        table.primary_key = Some(PrimaryKey {
            name: "orders_pkey".into(),
            columns: names(&["id", "shop"]),
            include: Vec::new(),
            deferral: Deferral::default(),
        });
        assert_eq!(index_covers(&table, &names(&["id"])), Some("orders_pkey"));
        assert_eq!(
            index_covers(&table, &names(&["shop", "id"])),
            Some("orders_pkey")
        );
    }

    #[test]
    fn indexes_that_cannot_serve_equality_lookups_do_not_count() {
        let mut hash = index("by_hash", vec![key("user_id")]);
        hash.method = "hash".into();
        let mut partial = index("partial", vec![key("user_id")]);
        partial.predicate = Some("(user_id > 0)".to_owned());
        let expression = index(
            "lower_email",
            vec![IndexKey {
                target: KeyTarget::Expression("lower(email)".to_owned()),
                ..key("email")
            }],
        );
        let mut collated = key("email");
        collated.collation = Some("\"C\"".to_owned());
        let mut pattern = key("user_id");
        pattern.opclass = Some("text_pattern_ops".to_owned());
        let table = table_with(vec![
            hash,
            partial,
            expression,
            index("email_c", vec![collated]),
            index("user_pattern", vec![pattern, key("id")]),
        ]);
        assert_eq!(index_covers(&table, &names(&["user_id"])), None);
        assert_eq!(index_covers(&table, &names(&["email"])), None);
        assert_eq!(index_covers(&table, &names(&["user_id", "id"])), None);
    }
}
