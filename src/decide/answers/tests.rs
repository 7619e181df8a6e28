use super::*;
use crate::source::yaml::{from_text, to_text};

fn id(text: &'static str) -> QuestionId {
    QuestionId::from_static(text)
}

fn choice(text: &'static str) -> ChoiceId {
    ChoiceId::from_static(text)
}

fn sample() -> Answers {
    let mut answers = Answers::default();
    let global = ChangeId::global();
    answers.set(&global, &id("mode"), Answer::user(choice("zero-downtime")));
    answers.set(
        &global,
        &id("lock-timeout"),
        Answer::user_with_input(choice("custom"), "5s"),
    );
    answers.set(
        &global,
        &id("batch-size"),
        Answer::default_choice(choice("default")),
    );
    answers.set(
        &ChangeId::new("public.orders.user_id").unwrap(),
        &id("set-not-null/fill"),
        Answer::user_with_input(choice("expression"), "0"),
    );
    answers
}

const GOLDEN: &str = "\
global:
  batch-size:
    choice: default
    by: default
  lock-timeout:
    choice: custom
    input: 5s
  mode:
    choice: zero-downtime
changes:
  public.orders.user_id:
    set-not-null/fill:
      choice: expression
      input: '0'
";

#[test]
fn answers_write_the_golden_shape() {
    assert_eq!(to_text(&sample()).unwrap(), GOLDEN);
}

#[test]
fn answers_round_trip() {
    let answers = sample();
    let text = to_text(&answers).unwrap();
    let back: Answers = from_text(&text, "decisions.yaml").unwrap();
    assert_eq!(back, answers);
    assert_eq!(back.len(), 4);
}

#[test]
fn hand_written_files_read_naturally() {
    let text = "\
global: { mode: { choice: maintenance-window }, batch-size: { choice: custom, input: 50000 } }
changes:
  public.orders.user_id: { set-not-null/fill: { choice: expression, input: \"0\" } }
  public.users.email: { rename: { choice: expand-contract, by: user } }
";
    let answers: Answers = from_text(text, "answers.yaml").unwrap();
    let batch = answers.get(&ChangeId::global(), &id("batch-size")).unwrap();
    assert_eq!(batch.input.as_deref(), Some("50000"));
    assert_eq!(batch.by, AnsweredBy::User);
    let fill = answers
        .get(
            &ChangeId::new("public.orders.user_id").unwrap(),
            &id("set-not-null/fill"),
        )
        .unwrap();
    assert_eq!(fill, &Answer::user_with_input(choice("expression"), "0"));
    assert_eq!(answers.len(), 4);
    let empty: Answers = from_text("{}", "answers.yaml").unwrap();
    assert!(empty.is_empty());
}

#[test]
fn mistakes_in_the_file_are_located() {
    let cases = [
        (
            "global:\n  mode:\n    choise: x\n",
            "answers.yaml:3:5: unknown key `choise`",
        ),
        ("global:\n  Mode:\n    choice: x\n", "answers.yaml:2:3:"),
        (
            "global:\n  mode:\n    choice: zero-downtime\n    by: robot\n",
            "answers.yaml:4:9: invalid value `robot`",
        ),
        (
            "changes:\n  global:\n    mode: { choice: x }\n",
            "global answers belong under the top-level `global` key",
        ),
    ];
    for (text, expected) in cases {
        let error = from_text::<Answers>(text, "answers.yaml").unwrap_err();
        assert!(
            error.to_string().contains(expected),
            "{text}\n→ {error}\nwanted {expected}"
        );
    }
    let id_error = from_text::<Answers>("global:\n  Mode:\n    choice: x\n", "a.yaml")
        .unwrap_err()
        .to_string();
    assert!(id_error.contains("set-not-null/fill"), "{id_error}");
}

#[test]
fn removing_the_last_answer_of_a_change_drops_the_change() {
    let mut answers = sample();
    let change = ChangeId::new("public.orders.user_id").unwrap();
    let removed = answers.remove(&change, &id("set-not-null/fill"));
    assert!(removed.is_some());
    assert!(!to_text(&answers).unwrap().contains("public.orders"));
    assert_eq!(answers.remove(&change, &id("set-not-null/fill")), None);
    let order: Vec<String> = answers.iter().map(|(_, q, _)| q.to_string()).collect();
    assert_eq!(order, ["batch-size", "lock-timeout", "mode"]);
}

#[test]
fn an_empty_file_holds_no_answers_and_a_list_is_located() {
    let empty: Answers = from_text("", "answers.yaml").unwrap();
    assert!(empty.is_empty());
    let error = from_text::<Answers>("- mode\n", "answers.yaml").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("answers.yaml:1:1: expected a mapping"),
        "{error}"
    );
    assert_eq!(error.hint, None);
}
