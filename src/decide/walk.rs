//! The walk over a list of questions: which to ask next, which answers still apply, which
//! are missing, and filling the rest with defaults. Pure functions over questions, facts and
//! answers, shared by the terminal UI, `plan --answers` and `plan --defaults`.
//!
//! Questions are taken in the order given. Callers put the global questions first (see
//! [`super::global::questions`]), then each change's questions, a follow-up after the question
//! its condition names: a condition should only name questions that come before it, so that
//! going back and changing an answer can only affect the questions after it.

use super::answers::{Answer, Answers};
use super::facts::Facts;
use super::id::{ChangeId, ChoiceId, QuestionId};
use super::question::{AnswerError, Question};

/// Whether `question` is to be asked, given the facts and answers so far.
#[must_use]
pub fn applies(question: &Question, facts: &Facts, answers: &Answers) -> bool {
    question.when.holds(&question.change, facts, answers)
}

/// Whether `answers` hold an answer to `question` naming one of its choices.
fn answered(question: &Question, answers: &Answers) -> bool {
    answers
        .get(&question.change, &question.id)
        .is_some_and(|answer| question.choice(&answer.choice).is_some())
}

/// The first question that applies and has no answer (an answer naming a choice the question
/// does not offer counts as none); `None` when every question that applies is answered.
#[must_use]
pub fn next_question<'a>(
    questions: &'a [Question],
    facts: &Facts,
    answers: &Answers,
) -> Option<&'a Question> {
    questions
        .iter()
        .find(|question| !answered(question, answers) && applies(question, facts, answers))
}

/// The answers that still apply: drops answers to questions that no longer exist, answers
/// naming a choice the question does not offer, and answers to questions whose condition no
/// longer holds. Dropping one answer can falsify another's condition (a follow-up whose parent
/// was dropped), so it repeats until nothing changes; within a round, questions are checked in
/// order, each against the answers that survived before it.
#[must_use]
pub fn prune(questions: &[Question], facts: &Facts, answers: &Answers) -> Answers {
    let mut kept = Answers::default();
    for (change, id, answer) in answers.iter() {
        let valid = find(questions, &change, id)
            .is_some_and(|question| question.choice(&answer.choice).is_some());
        if valid {
            kept.set(&change, id, answer.clone());
        }
    }
    loop {
        let before = kept.len();
        for question in questions {
            if kept.get(&question.change, &question.id).is_some()
                && !applies(question, facts, &kept)
            {
                kept.remove(&question.change, &question.id);
            }
        }
        if kept.len() == before {
            return kept;
        }
    }
}

/// Every question that must be asked and has no answer, in question order, once the answers
/// that no longer apply are pruned. A follow-up whose parent is unanswered is not listed: it
/// may not be needed, and it will be once the parent is answered.
#[must_use]
pub fn missing(
    questions: &[Question],
    facts: &Facts,
    answers: &Answers,
) -> Vec<(ChangeId, QuestionId)> {
    let answers = prune(questions, facts, answers);
    questions
        .iter()
        .filter(|question| !answered(question, &answers) && applies(question, facts, &answers))
        .map(|question| (question.change.clone(), question.id.clone()))
        .collect()
}

/// The pruned answers with every question still to be asked answered by its default, marked
/// `by: default`. A default can bring a follow-up into play, which is then defaulted too.
/// Questions without a default stay unanswered ([`undecided`] lists them).
#[must_use]
pub fn with_defaults(questions: &[Question], facts: &Facts, answers: &Answers) -> Answers {
    let mut filled = prune(questions, facts, answers);
    // Each round answers one more question, so this ends after at most `questions.len()` rounds.
    while let Some((question, default)) = next_defaulted(questions, facts, &filled) {
        filled.set(
            &question.change,
            &question.id,
            Answer::default_choice(default.clone()),
        );
    }
    // A default can falsify the condition of an answer given earlier (through `Not`).
    prune(questions, facts, &filled)
}

/// The first question that applies, has no answer and has a default.
fn next_defaulted<'a>(
    questions: &'a [Question],
    facts: &Facts,
    answers: &Answers,
) -> Option<(&'a Question, &'a ChoiceId)> {
    questions.iter().find_map(|question| {
        let default = question.default.as_ref()?;
        (!answered(question, answers) && applies(question, facts, answers))
            .then_some((question, default))
    })
}

/// The questions that apply, have no answer and no default: each needs a person's decision,
/// because every answer destroys, invents or moves data on a guess. In question order.
#[must_use]
pub fn undecided<'a>(
    questions: &'a [Question],
    facts: &Facts,
    answers: &Answers,
) -> Vec<&'a Question> {
    let answers = prune(questions, facts, answers);
    questions
        .iter()
        .filter(|question| {
            question.default.is_none()
                && !answered(question, &answers)
                && applies(question, facts, &answers)
        })
        .collect()
}

/// Every answer that applies but cannot be used: a missing, unexpected or invalid input. Run on
/// pruned answers (answers to unknown questions or choices are dropped by [`prune`], and their
/// questions then reported by [`missing`]).
#[must_use]
pub fn problems(questions: &[Question], answers: &Answers) -> Vec<(ChangeId, AnswerError)> {
    questions
        .iter()
        .filter_map(|question| {
            let answer = answers.get(&question.change, &question.id)?;
            let error = question
                .accept(&answer.choice, answer.input.as_deref())
                .err()?;
            Some((question.change.clone(), error))
        })
        .collect()
}

fn find<'a>(questions: &'a [Question], change: &ChangeId, id: &QuestionId) -> Option<&'a Question> {
    questions
        .iter()
        .find(|question| &question.change == change && &question.id == id)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
