//! Helpers shared by every form: per-field messages and the `next` parameter.

use std::collections::BTreeMap;

/// Messages keyed by form field name, shown next to their field.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records the error of a parse step and keeps the parsed value, if any.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }
}

/// Only a local path may be a redirect target: anything that could leave the
/// site (`//evil`, `/\evil`, `https://…`) falls back to `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("/a?b=c")), "/a?b=c");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\n//x")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
