//! Users and the types that make a bad username, email or password impossible to hold.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Member,
    Author,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "member" => Ok(Role::Member),
            "author" => Ok(Role::Author),
            "admin" => Ok(Role::Admin),
            _ => Err("Choose admin, author or member.".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Author => "author",
            Role::Admin => "admin",
        }
    }

    fn rank(self) -> u8 {
        match self {
            Role::Member => 0,
            Role::Author => 1,
            Role::Admin => 2,
        }
    }

    /// Whether this role may do what `needed` may: admins can do what authors can,
    /// authors what members can.
    pub fn includes(self, needed: Role) -> bool {
        self.rank() >= needed.rank()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub currency: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The signed-in user as pages see it.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub session_id: i64,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// 3–32 characters: lowercase letters, digits, `-` and `_`, starting with a letter
/// or digit. Usernames appear in URLs (`/authors/{username}`), hence the alphabet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.trim().to_lowercase();
        if name.is_empty() {
            return Err("Enter a username.".into());
        }
        if name.chars().count() < 3 || name.chars().count() > 32 {
            return Err("A username has 3 to 32 characters.".into());
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err("Use only letters a–z, digits, “-” and “_”.".into());
        }
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("A username starts with a letter or a digit.".into());
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim();
        if email.is_empty() {
            return Err("Enter an email address.".into());
        }
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Self(email.to_owned()))
        } else {
            Err("Enter an email address like name@example.com.".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10 to 1,000 characters. Long passphrases are welcome; nothing
/// else is imposed (NIST SP 800-63B).
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(password: &str, confirm: &str) -> Result<Self, String> {
        let len = password.chars().count();
        if len < 10 {
            return Err("Use at least 10 characters.".into());
        }
        if len > 1000 {
            return Err("Use at most 1,000 characters.".into());
        }
        if password != confirm {
            return Err("The two passwords do not match.".into());
        }
        Ok(Self(password.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Alice ").unwrap().as_str(), "alice");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("-abc").is_err());
        assert!(Username::parse("a b c").is_err());
        assert!(Username::parse("<script>").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn emails() {
        assert!(Email::parse("a@example.com").is_ok());
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("a b@example.com").is_err());
        assert!(Email::parse("@example.com").is_err());
    }

    #[test]
    fn passwords() {
        assert!(NewPassword::parse("short", "short").is_err());
        assert!(NewPassword::parse("long enough pass", "long enough pasS").is_err());
        assert!(NewPassword::parse("long enough pass", "long enough pass").is_ok());
    }

    #[test]
    fn roles_include_lower_ones() {
        assert!(Role::Admin.includes(Role::Author));
        assert!(Role::Author.includes(Role::Member));
        assert!(!Role::Member.includes(Role::Author));
        assert!(!Role::Author.includes(Role::Admin));
    }
}
