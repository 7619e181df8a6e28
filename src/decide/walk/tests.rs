use super::*;
use crate::decide::ChoiceId;
use crate::decide::answers::AnsweredBy;
use crate::decide::condition::{Comparison, Condition, FactTest};
use crate::decide::facts::{Fact, FactId, FactValue, Origin};
use crate::decide::input::InputKind;
use crate::decide::question::Choice;

const ORDERS: &str = "public.orders.user_id";

fn orders() -> ChangeId {
    ChangeId::new(ORDERS).unwrap()
}

fn choice(id: &'static str, input: Option<InputKind>) -> Choice {
    Choice {
        id: ChoiceId::from_static(id),
        label: id.to_owned(),
        consequence: format!("does {id}"),
        input,
    }
}

fn question(
    change: ChangeId,
    id: &'static str,
    choices: &[&'static str],
    when: Condition,
) -> Question {
    Question {
        id: QuestionId::from_static(id),
        change,
        prompt: format!("{id}?"),
        why: "because".to_owned(),
        facts: Vec::new(),
        choices: choices
            .iter()
            .map(|c| {
                let input = (*c == "expression").then_some(InputKind::Expression);
                choice(c, input)
            })
            .collect(),
        default: Some(ChoiceId::from_static(choices[0])),
        when,
    }
}

fn answered(question: &'static str, choice: &'static str) -> Condition {
    Condition::Answered(
        QuestionId::from_static(question),
        ChoiceId::from_static(choice),
    )
}

fn null_rows_above_zero() -> Condition {
    Condition::Fact(FactTest {
        fact: FactId::from_static("null-rows"),
        op: Comparison::Gt,
        value: 0,
    })
}

/// A global question, then a change whose questions depend on it, on a fact and on each other.
fn questions() -> Vec<Question> {
    vec![
        question(
            ChangeId::global(),
            "mode",
            &["zero-downtime", "maintenance-window"],
            Condition::Always,
        ),
        question(
            orders(),
            "set-not-null/validate",
            &["separately", "at-once"],
            answered("mode", "zero-downtime"),
        ),
        question(
            orders(),
            "set-not-null/fill",
            &["fail", "expression", "delete"],
            null_rows_above_zero(),
        ),
        question(
            orders(),
            "set-not-null/confirm-delete",
            &["no", "yes"],
            answered("set-not-null/fill", "delete"),
        ),
    ]
}

fn facts(null_rows: Option<u64>) -> Facts {
    let mut facts = Facts::default();
    if let Some(n) = null_rows {
        facts.insert(
            &orders(),
            Fact {
                id: FactId::from_static("null-rows"),
                value: FactValue::Count(n),
                origin: Origin::Counted {
                    source: "count(*)".to_owned(),
                },
            },
        );
    }
    facts
}

/// Answers from `(change, question, choice)`; `global` names the global change.
fn answers(list: &[(&str, &'static str, &'static str)]) -> Answers {
    let mut answers = Answers::default();
    for (change, question, choice) in list {
        let change = if *change == "global" {
            ChangeId::global()
        } else {
            ChangeId::new(*change).unwrap()
        };
        let answer = if *choice == "expression" {
            Answer::user_with_input(ChoiceId::from_static(choice), "0")
        } else {
            Answer::user(ChoiceId::from_static(choice))
        };
        answers.set(&change, &QuestionId::from_static(question), answer);
    }
    answers
}

fn ids(list: &[(ChangeId, QuestionId)]) -> Vec<String> {
    list.iter().map(|(c, q)| format!("{c}:{q}")).collect()
}

/// Fact `null-rows` (if known), the answers given, and the id of the question expected next.
type Case<'a> = (
    Option<u64>,
    &'a [(&'a str, &'static str, &'static str)],
    Option<&'a str>,
);

#[test]
fn next_question_table() {
    let g = "global";
    let o = ORDERS;
    let table: &[Case] = &[
        (None, &[], Some("mode")),
        (Some(5), &[], Some("mode")),
        (
            None,
            &[(g, "mode", "zero-downtime")],
            Some("set-not-null/validate"),
        ),
        // No NULLs known: nothing to fill.
        (None, &[(g, "mode", "maintenance-window")], None),
        (Some(0), &[(g, "mode", "maintenance-window")], None),
        (
            Some(5),
            &[(g, "mode", "maintenance-window")],
            Some("set-not-null/fill"),
        ),
        (
            Some(5),
            &[
                (g, "mode", "zero-downtime"),
                (o, "set-not-null/validate", "at-once"),
            ],
            Some("set-not-null/fill"),
        ),
        (
            Some(5),
            &[
                (g, "mode", "maintenance-window"),
                (o, "set-not-null/fill", "expression"),
            ],
            None,
        ),
        (
            Some(5),
            &[
                (g, "mode", "maintenance-window"),
                (o, "set-not-null/fill", "delete"),
            ],
            Some("set-not-null/confirm-delete"),
        ),
        (
            Some(5),
            &[
                (g, "mode", "maintenance-window"),
                (o, "set-not-null/fill", "delete"),
                (o, "set-not-null/confirm-delete", "yes"),
            ],
            None,
        ),
        // An answer naming a choice the question lacks does not count as an answer.
        (None, &[(g, "mode", "fast")], Some("mode")),
        // An answer filed under another change does not answer this change's question.
        (
            Some(5),
            &[
                (g, "mode", "maintenance-window"),
                ("public.users.email", "set-not-null/fill", "fail"),
            ],
            Some("set-not-null/fill"),
        ),
    ];
    let questions = questions();
    for (null_rows, given, expected) in table {
        let next = next_question(&questions, &facts(*null_rows), &answers(given));
        assert_eq!(
            next.map(|q| q.id.as_str()),
            *expected,
            "null rows {null_rows:?}, answers {given:?}"
        );
    }
}

#[test]
fn prune_cascades_when_a_fact_changes() {
    let full = answers(&[
        ("global", "mode", "zero-downtime"),
        (ORDERS, "set-not-null/validate", "separately"),
        (ORDERS, "set-not-null/fill", "delete"),
        (ORDERS, "set-not-null/confirm-delete", "yes"),
    ]);
    let questions = questions();
    assert_eq!(prune(&questions, &facts(Some(5)), &full), full);
    // No NULLs any more: the fill answer goes, and with it the confirmation that depended on it.
    let pruned = prune(&questions, &facts(Some(0)), &full);
    assert_eq!(
        pruned,
        answers(&[
            ("global", "mode", "zero-downtime"),
            (ORDERS, "set-not-null/validate", "separately"),
        ])
    );
}

#[test]
fn prune_cascades_when_an_earlier_answer_changes() {
    let mut changed = answers(&[
        ("global", "mode", "zero-downtime"),
        (ORDERS, "set-not-null/validate", "separately"),
        (ORDERS, "set-not-null/fill", "delete"),
        (ORDERS, "set-not-null/confirm-delete", "yes"),
    ]);
    changed.set(
        &orders(),
        &QuestionId::from_static("set-not-null/fill"),
        Answer::user(ChoiceId::from_static("fail")),
    );
    changed.set(
        &ChangeId::global(),
        &QuestionId::from_static("mode"),
        Answer::user(ChoiceId::from_static("maintenance-window")),
    );
    let pruned = prune(&questions(), &facts(Some(5)), &changed);
    assert_eq!(
        pruned,
        answers(&[
            ("global", "mode", "maintenance-window"),
            (ORDERS, "set-not-null/fill", "fail"),
        ])
    );
}

#[test]
fn prune_reaches_a_fixed_point_when_a_follow_up_comes_first() {
    // The follow-up is listed before its parent, against the convention: the cascade still
    // completes, in a second round.
    let mut reversed = questions();
    reversed.reverse();
    let full = answers(&[
        ("global", "mode", "maintenance-window"),
        (ORDERS, "set-not-null/fill", "delete"),
        (ORDERS, "set-not-null/confirm-delete", "yes"),
    ]);
    let pruned = prune(&reversed, &facts(Some(0)), &full);
    assert_eq!(pruned, answers(&[("global", "mode", "maintenance-window")]));
}

#[test]
fn prune_drops_unknown_questions_and_choices() {
    let given = answers(&[
        ("global", "mode", "maintenance-window"),
        ("global", "colour", "blue"),
        (ORDERS, "set-not-null/fill", "paint"),
        ("public.users.email", "set-not-null/fill", "fail"),
    ]);
    let pruned = prune(&questions(), &facts(Some(5)), &given);
    assert_eq!(pruned, answers(&[("global", "mode", "maintenance-window")]));
}

#[test]
fn missing_lists_every_needed_id() {
    let questions = questions();
    let none = missing(&questions, &facts(Some(5)), &Answers::default());
    // The validate follow-up is not listed: it depends on an answer nobody gave yet.
    assert_eq!(
        ids(&none),
        ["global:mode", "public.orders.user_id:set-not-null/fill"]
    );
    let some = answers(&[
        ("global", "mode", "zero-downtime"),
        (ORDERS, "set-not-null/fill", "delete"),
    ]);
    assert_eq!(
        ids(&missing(&questions, &facts(Some(5)), &some)),
        [
            "public.orders.user_id:set-not-null/validate",
            "public.orders.user_id:set-not-null/confirm-delete",
        ]
    );
    // Answers are pruned first: a fill answer left over from when there were NULLs does not
    // bring in its confirmation follow-up.
    let stale = answers(&[
        ("global", "mode", "maintenance-window"),
        (ORDERS, "set-not-null/fill", "delete"),
    ]);
    assert!(missing(&questions, &facts(Some(0)), &stale).is_empty());
    assert_eq!(
        ids(&missing(&questions, &facts(Some(5)), &stale)),
        ["public.orders.user_id:set-not-null/confirm-delete"]
    );
    // An answer naming an unknown choice leaves its question missing.
    let unknown = answers(&[
        ("global", "mode", "maintenance-window"),
        (ORDERS, "set-not-null/fill", "paint"),
    ]);
    assert_eq!(
        ids(&missing(&questions, &facts(Some(5)), &unknown)),
        ["public.orders.user_id:set-not-null/fill"]
    );
    let done = answers(&[
        ("global", "mode", "maintenance-window"),
        (ORDERS, "set-not-null/fill", "fail"),
    ]);
    assert!(missing(&questions, &facts(Some(5)), &done).is_empty());
}

#[test]
fn defaults_fill_follow_ups_and_keep_user_answers() {
    let questions = questions();
    let given = answers(&[(ORDERS, "set-not-null/fill", "delete")]);
    let filled = with_defaults(&questions, &facts(Some(5)), &given);
    let by = |change: &ChangeId, q: &'static str| {
        filled
            .get(change, &QuestionId::from_static(q))
            .map(|a| (a.choice.to_string(), a.by))
    };
    // The default mode enables the validate follow-up, which is defaulted in turn.
    assert_eq!(
        by(&ChangeId::global(), "mode"),
        Some(("zero-downtime".to_owned(), AnsweredBy::Default))
    );
    assert_eq!(
        by(&orders(), "set-not-null/validate"),
        Some(("separately".to_owned(), AnsweredBy::Default))
    );
    assert_eq!(
        by(&orders(), "set-not-null/fill"),
        Some(("delete".to_owned(), AnsweredBy::User))
    );
    assert_eq!(
        by(&orders(), "set-not-null/confirm-delete"),
        Some(("no".to_owned(), AnsweredBy::Default))
    );
    assert_eq!(filled.len(), 4);
    assert!(missing(&questions, &facts(Some(5)), &filled).is_empty());
    assert_eq!(next_question(&questions, &facts(Some(5)), &filled), None);
}

#[test]
fn defaults_recheck_answers_a_default_falsifies() {
    // `later` is answered, but only applies while `first` is unanswered or `a`: the default `b`
    // of `first` makes it stale.
    let questions = vec![
        question(ChangeId::global(), "first", &["b", "a"], Condition::Always),
        question(
            ChangeId::global(),
            "later",
            &["x"],
            Condition::Not(Box::new(answered("first", "b"))),
        ),
    ];
    let given = answers(&[("global", "later", "x")]);
    let filled = with_defaults(&questions, &Facts::default(), &given);
    assert_eq!(filled.len(), 1);
    assert_eq!(
        filled
            .get(&ChangeId::global(), &QuestionId::from_static("first"))
            .map(|a| a.choice.to_string()),
        Some("b".to_owned())
    );
}

#[test]
fn problems_report_bad_inputs() {
    let mut given = answers(&[("global", "mode", "maintenance-window")]);
    given.set(
        &orders(),
        &QuestionId::from_static("set-not-null/fill"),
        Answer::user_with_input(ChoiceId::from_static("expression"), "coalesce(a"),
    );
    let found = problems(&questions(), &given);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, orders());
    assert!(
        found[0].1.to_string().contains("unclosed parenthesis"),
        "{}",
        found[0].1
    );
    assert!(
        problems(
            &questions(),
            &answers(&[(ORDERS, "set-not-null/fill", "expression")])
        )
        .is_empty()
    );
}
