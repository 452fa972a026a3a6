//! Slugs: lowercase ASCII words joined by hyphens, made from titles (transliterated:
//! "Crème brûlée" → "creme-brulee") or typed by the author.

/// Words a slug may not be, because they are (or may become) routes.
const RESERVED: &[&str] = &[
    "new",
    "edit",
    "delete",
    "feed",
    "feed-xml",
    "admin",
    "api",
    "static",
    "tags",
    "search",
    "dashboard",
    "setup",
    "login",
    "logout",
    "register",
    "account",
];

pub const MAX_LEN: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

/// The hyphenated ASCII form of any text (may be empty).
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    if out.len() > MAX_LEN {
        out.truncate(MAX_LEN);
        if let Some(i) = out.rfind('-') {
            if i > MAX_LEN / 2 {
                out.truncate(i);
            }
        }
        out = out.trim_end_matches('-').to_owned();
    }
    out
}

impl Slug {
    /// A slug the author typed: refused (with the reason) unless already well formed.
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err("Enter a slug, or leave it empty to make one from the title.".into());
        }
        if s.len() > MAX_LEN {
            return Err(format!("A slug has at most {MAX_LEN} characters."));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || s.starts_with('-')
            || s.ends_with('-')
            || s.contains("--")
        {
            return Err(
                "Use lowercase letters a–z, digits and single hyphens, like my-first-post.".into(),
            );
        }
        if RESERVED.contains(&s) {
            return Err(format!("“{s}” is reserved. Choose another slug."));
        }
        Ok(Self(s.to_owned()))
    }

    /// A slug made from a title; never empty and never reserved.
    pub fn from_title(title: &str) -> Self {
        let s = slugify(title);
        if s.is_empty() {
            Self("article".into())
        } else if RESERVED.contains(&s.as_str()) {
            Self(format!("{s}-article"))
        } else {
            Self(s)
        }
    }

    /// The n-th alternative when this slug is taken: `-2`, `-3`, …
    pub fn with_suffix(&self, n: u32) -> Self {
        let suffix = format!("-{n}");
        let mut base = self.0.clone();
        base.truncate(MAX_LEN - suffix.len());
        Self(format!("{}{suffix}", base.trim_end_matches('-')))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_slugs() {
        assert_eq!(Slug::from_title("Hello, World!").as_str(), "hello-world");
        assert_eq!(
            Slug::from_title("Crème brûlée à Paris").as_str(),
            "creme-brulee-a-paris"
        );
        assert_eq!(Slug::from_title("Größe & Maß").as_str(), "grosse-mass");
        assert_eq!(Slug::from_title("!!!").as_str(), "article");
        assert_eq!(Slug::from_title("New").as_str(), "new-article");
        assert!(Slug::from_title(&"long words ".repeat(30)).as_str().len() <= MAX_LEN);
    }

    #[test]
    fn typed_slugs_are_checked() {
        assert!(Slug::parse("my-post-2").is_ok());
        assert!(Slug::parse("My Post").is_err());
        assert!(Slug::parse("new").is_err());
        assert!(Slug::parse("a--b").is_err());
        assert!(Slug::parse("-a").is_err());
        assert!(Slug::parse(&"a".repeat(81)).is_err());
    }

    #[test]
    fn suffixes() {
        assert_eq!(Slug::from_title("Post").with_suffix(2).as_str(), "post-2");
        assert!(
            Slug::parse(&"a".repeat(80))
                .unwrap()
                .with_suffix(12)
                .as_str()
                .len()
                <= MAX_LEN
        );
    }
}
