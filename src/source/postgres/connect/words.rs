//! Socket errors and durations in a few plain words, for the reasons connection errors give.

use std::io;
use std::time::Duration;

/// A socket error in a few words, without the `(os error N)` tail.
pub(crate) fn describe_io(error: &io::Error) -> String {
    let words = match error.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused",
        io::ErrorKind::NotFound => "no such file",
        io::ErrorKind::PermissionDenied => "permission denied",
        io::ErrorKind::TimedOut => "timed out",
        io::ErrorKind::HostUnreachable => "host unreachable",
        io::ErrorKind::NetworkUnreachable => "network unreachable",
        io::ErrorKind::ConnectionReset => "connection reset by the server",
        io::ErrorKind::ConnectionAborted => "connection aborted",
        io::ErrorKind::UnexpectedEof => "the server closed the connection",
        io::ErrorKind::AddrNotAvailable => "address not available",
        _ => return strip_os_error(&error.to_string()),
    };
    words.to_owned()
}

fn strip_os_error(text: &str) -> String {
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_owned(),
        _ => text.to_owned(),
    }
}

/// `10s`, `1.5s`, `250ms`.
pub(crate) fn describe_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    match millis {
        m if m % 1000 == 0 => format!("{}s", m / 1000),
        m if m > 1000 => format!("{}s", duration.as_secs_f64()),
        m => format!("{m}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_in_few_words() {
        assert_eq!(
            describe_io(&io::Error::from_raw_os_error(2)),
            "no such file"
        );
        assert_eq!(
            describe_io(&io::Error::from_raw_os_error(111)),
            "connection refused"
        );
        assert_eq!(
            describe_io(&io::Error::other("strange (os error 99)")),
            "strange"
        );
        assert_eq!(describe_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(describe_duration(Duration::from_millis(250)), "250ms");
    }
}
