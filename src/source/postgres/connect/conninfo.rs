//! Connection strings as libpq reads them: `postgresql://` URLs and `key=value` settings, both
//! turned into one map of libpq keywords to values.
//!
//! Error reasons never quote a value from the string (it may hold a password); they name the
//! part or keyword that is wrong.

use std::collections::BTreeMap;

/// libpq keywords (`host`, `port`, `user`, `password`, `sslmode`…) to their values.
pub(super) type Params = BTreeMap<String, String>;

/// Parses a URL (`postgresql://…` or `postgres://…`) or `key=value` settings.
pub(super) fn parse(text: &str) -> Result<Params, String> {
    if let Some(rest) = text
        .strip_prefix("postgresql://")
        .or_else(|| text.strip_prefix("postgres://"))
    {
        return parse_url(rest);
    }
    if text.contains('=') {
        return parse_key_values(text);
    }
    Err("expected a postgresql:// URL or key=value settings".to_owned())
}

/// `[user[:password]@][host[:port][,…]][/dbname][?key=value&…]`, percent-decoded.
fn parse_url(rest: &str) -> Result<Params, String> {
    let mut params = Params::new();
    let (body, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = body.split_once('/').unwrap_or((body, ""));
    // Host names cannot hold '@', so the last one ends the user part even when an unencoded
    // '@' sits in the password.
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            parse_userinfo(userinfo, &mut params)?;
            hosts
        }
        None => authority,
    };
    parse_hosts(hosts, &mut params)?;
    let database = percent_decode(path, "database name")?;
    if !database.is_empty() {
        params.insert("dbname".to_owned(), database);
    }
    parse_query(query, &mut params)?;
    Ok(params)
}

fn parse_userinfo(userinfo: &str, params: &mut Params) -> Result<(), String> {
    let (user, password) = match userinfo.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (userinfo, None),
    };
    let user = percent_decode(user, "user name")?;
    if !user.is_empty() {
        params.insert("user".to_owned(), user);
    }
    if let Some(password) = password {
        params.insert("password".to_owned(), percent_decode(password, "password")?);
    }
    Ok(())
}

/// `host[:port]` entries separated by commas; IPv6 addresses in brackets.
fn parse_hosts(list: &str, params: &mut Params) -> Result<(), String> {
    if list.is_empty() {
        return Ok(());
    }
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    for entry in list.split(',') {
        let (host, port) = split_host_port(entry)?;
        hosts.push(percent_decode(host, "host name")?);
        ports.push(percent_decode(port, "port")?);
    }
    if hosts.iter().any(|host| !host.is_empty()) {
        params.insert("host".to_owned(), hosts.join(","));
    }
    if ports.iter().any(|port| !port.is_empty()) {
        params.insert("port".to_owned(), ports.join(","));
    }
    Ok(())
}

fn split_host_port(entry: &str) -> Result<(&str, &str), String> {
    if let Some(bracketed) = entry.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| "an IPv6 host address is missing its closing \"]\"".to_owned())?;
        return match after {
            "" => Ok((host, "")),
            _ => after
                .strip_prefix(':')
                .map(|port| (host, port))
                .ok_or_else(|| "unexpected text after an IPv6 host address".to_owned()),
        };
    }
    Ok(entry.split_once(':').unwrap_or((entry, "")))
}

/// `key=value&…`; `ssl=true` means `sslmode=require`, as libpq accepts it.
fn parse_query(query: &str, params: &mut Params) -> Result<(), String> {
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| "a URL parameter is missing \"=\" and a value".to_owned())?;
        let key = percent_decode(key, "parameter name")?;
        let value = percent_decode(value, "parameter value")?;
        if key == "ssl" && value == "true" {
            params.insert("sslmode".to_owned(), "require".to_owned());
        } else {
            params.insert(key, value);
        }
    }
    Ok(())
}

/// Decodes `%XX` escapes; `what` names the URL part in errors.
fn percent_decode(text: &str, what: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let byte = bytes
                .get(index + 1..index + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| format!("invalid percent-encoding in the {what}"))?;
            if byte == 0 {
                return Err(format!("the {what} holds a forbidden %00"));
            }
            decoded.push(byte);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded)
        .map_err(|_| format!("the {what} is not valid UTF-8 once percent-decoded"))
}

/// `keyword = value` pairs separated by white space; values may be single-quoted, and a
/// backslash takes the next character literally.
fn parse_key_values(text: &str) -> Result<Params, String> {
    let mut params = Params::new();
    let mut chars = text.chars().peekable();
    loop {
        skip_spaces(&mut chars);
        if chars.peek().is_none() {
            return Ok(params);
        }
        let keyword: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && !c.is_whitespace())).collect();
        skip_spaces(&mut chars);
        if chars.next() != Some('=') {
            return Err("a setting is missing \"=\" after its name".to_owned());
        }
        skip_spaces(&mut chars);
        let value = read_value(&mut chars)
            .ok_or_else(|| format!("unterminated quoted value for \"{keyword}\""))?;
        params.insert(keyword, value);
    }
}

fn skip_spaces(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
}

/// One value, quoted or bare; `None` when a quote is never closed.
fn read_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let quoted = chars.next_if_eq(&'\'').is_some();
    let mut value = String::new();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => value.push(chars.next()?),
            '\'' if quoted => return Some(value),
            c if c.is_whitespace() && !quoted => return Some(value),
            c => value.push(c),
        }
    }
    (!quoted).then_some(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn url_with_every_part() {
        let parsed = parse(
            "postgresql://alice:p%40ss@db.example:6432/app?sslmode=verify-full&connect_timeout=3",
        )
        .unwrap();
        assert_eq!(
            parsed,
            params(&[
                ("user", "alice"),
                ("password", "p@ss"),
                ("host", "db.example"),
                ("port", "6432"),
                ("dbname", "app"),
                ("sslmode", "verify-full"),
                ("connect_timeout", "3"),
            ])
        );
    }

    #[test]
    fn url_socket_directory_is_percent_encoded() {
        let parsed = parse("postgres://postgres@%2Fwork%2Fdevpg:54329/postgres").unwrap();
        assert_eq!(parsed["host"], "/work/devpg");
        assert_eq!(parsed["port"], "54329");
    }

    #[test]
    fn url_with_nothing_but_a_database() {
        assert_eq!(
            parse("postgresql:///app").unwrap(),
            params(&[("dbname", "app")])
        );
        assert_eq!(parse("postgresql://").unwrap(), Params::new());
    }

    #[test]
    fn url_host_list_with_ipv6_and_missing_ports() {
        let parsed = parse("postgresql://[::1]:5433,replica,[fe80::2]/db").unwrap();
        assert_eq!(parsed["host"], "::1,replica,fe80::2");
        assert_eq!(parsed["port"], "5433,,");
    }

    #[test]
    fn url_query_overrides_and_ssl_true() {
        let parsed = parse("postgresql://h/db?host=%2Ftmp&ssl=true").unwrap();
        assert_eq!(parsed["host"], "/tmp");
        assert_eq!(parsed["sslmode"], "require");
    }

    #[test]
    fn url_unencoded_at_sign_in_password() {
        let parsed = parse("postgresql://bob:pa@ss@localhost/db").unwrap();
        assert_eq!(parsed["password"], "pa@ss");
        assert_eq!(parsed["host"], "localhost");
    }

    #[test]
    fn url_errors_name_the_part_not_the_value() {
        assert_eq!(
            parse("postgresql://bob:s%ZZecret@h/db").unwrap_err(),
            "invalid percent-encoding in the password"
        );
        assert_eq!(
            parse("postgresql://h/db?sslmode").unwrap_err(),
            "a URL parameter is missing \"=\" and a value"
        );
        assert_eq!(
            parse("postgresql://[::1/db").unwrap_err(),
            "an IPv6 host address is missing its closing \"]\""
        );
        assert_eq!(
            parse("postgresql://h/%00").unwrap_err(),
            "the database name holds a forbidden %00"
        );
    }

    #[test]
    fn key_values_with_quotes_and_escapes() {
        let parsed = parse(r"host=/tmp port = 5432 password='it\'s a secret' dbname=a\ b").unwrap();
        assert_eq!(
            parsed,
            params(&[
                ("host", "/tmp"),
                ("port", "5432"),
                ("password", "it's a secret"),
                ("dbname", "a b")
            ])
        );
        assert_eq!(parse("user='' dbname=x").unwrap()["user"], "");
    }

    #[test]
    fn key_value_errors() {
        assert_eq!(
            parse("host=/tmp password='open").unwrap_err(),
            "unterminated quoted value for \"password\""
        );
        assert_eq!(
            parse("host=/tmp secret").unwrap_err(),
            "a setting is missing \"=\" after its name"
        );
        assert_eq!(
            parse("mydb").unwrap_err(),
            "expected a postgresql:// URL or key=value settings"
        );
    }
}
