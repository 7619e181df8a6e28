use super::*;

#[test]
fn globs_match_names() {
    assert!(glob_matches("audit_*", "audit_log"));
    assert!(glob_matches("*", ""));
    assert!(glob_matches("a?c", "abc"));
    assert!(!glob_matches("a?c", "abbc"));
    assert!(glob_matches("*_log_*", "x_log_y_log_z"));
    assert!(!glob_matches("audit_*", "audits"));
}
