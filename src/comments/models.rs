//! Comment states and the moderation rule, as plain functions.

use chrono::NaiveDateTime;

use crate::accounts::models::Role;

pub const MAX_BODY: usize = 5_000;
/// Members may post this many comments per minute; authors and admins are trusted.
pub const RATE_LIMIT_PER_MINUTE: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentStatus {
    Pending,
    Approved,
    Spam,
    Deleted,
}

impl CommentStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "spam" => Some(Self::Spam),
            "deleted" => Some(Self::Deleted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Spam => "spam",
            Self::Deleted => "deleted",
        }
    }
}

/// The site's moderation setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Every comment waits for approval.
    All,
    /// A user's comments wait until one of theirs has been approved.
    FirstTime,
    /// Comments publish at once.
    None,
}

impl Moderation {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "all" => Ok(Self::All),
            "first-time" => Ok(Self::FirstTime),
            "none" => Ok(Self::None),
            _ => Err("Choose all, first-time or none.".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::FirstTime => "first-time",
            Self::None => "none",
        }
    }
}

/// What became of a posted comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Published,
    AwaitsModeration,
    RateLimited,
}

/// The state a new comment starts in.
pub fn initial_status(
    role: Role,
    moderation: Moderation,
    has_approved_comment: bool,
) -> CommentStatus {
    if role.includes(Role::Author) {
        return CommentStatus::Approved;
    }
    match moderation {
        Moderation::None => CommentStatus::Approved,
        Moderation::All => CommentStatus::Pending,
        Moderation::FirstTime if has_approved_comment => CommentStatus::Approved,
        Moderation::FirstTime => CommentStatus::Pending,
    }
}

/// The comment text, or why it cannot be posted.
pub fn validate_body(body: &str) -> Result<&str, String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        Err("Write something before posting: the comment is empty.".into())
    } else if trimmed.chars().count() > MAX_BODY {
        Err(format!(
            "A comment has at most {MAX_BODY} characters; this one has {}.",
            trimmed.chars().count()
        ))
    } else {
        Ok(trimmed)
    }
}

/// An approved comment as readers see it.
#[derive(Debug, Clone, diesel::Queryable)]
pub struct PublicComment {
    pub id: i64,
    pub author: String,
    pub body_html: String,
    pub created_at: NaiveDateTime,
}

impl PublicComment {
    pub fn date(&self) -> String {
        self.created_at.format("%-d %B %Y, %H:%M UTC").to_string()
    }

    pub fn iso(&self) -> String {
        self.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moderation_rules() {
        use CommentStatus::*;
        assert_eq!(
            initial_status(Role::Member, Moderation::FirstTime, false),
            Pending
        );
        assert_eq!(
            initial_status(Role::Member, Moderation::FirstTime, true),
            Approved
        );
        assert_eq!(initial_status(Role::Member, Moderation::All, true), Pending);
        assert_eq!(
            initial_status(Role::Member, Moderation::None, false),
            Approved
        );
        assert_eq!(
            initial_status(Role::Author, Moderation::All, false),
            Approved
        );
        assert_eq!(
            initial_status(Role::Admin, Moderation::All, false),
            Approved
        );
    }

    #[test]
    fn bodies() {
        assert!(validate_body("  \n ").is_err());
        assert_eq!(validate_body(" hi ").unwrap(), "hi");
        assert!(validate_body(&"x".repeat(MAX_BODY)).is_ok());
        assert!(validate_body(&"x".repeat(MAX_BODY + 1)).is_err());
    }
}
