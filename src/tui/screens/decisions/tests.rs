use super::*;
use crate::tui::app::Screen;
use crate::tui::screens::fixture;

#[test]
fn list_questions() {
    let app = fixture::app(Screen::Decisions);
    for q in &app.session.as_ref().unwrap().questions {
        eprintln!("{} {} {:?} default {}", q.change, q.id, q.choices.iter().map(|c| (c.id.as_str(), c.input.is_some())).collect::<Vec<_>>(), q.default);
    }
    eprintln!("{:?}", progress(&app));
}
