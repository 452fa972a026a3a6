//! What an admin may do to an account, as a plain function: never to themself,
//! never to the last admin.

use crate::accounts::models::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    /// A new role lower than admin.
    Demote,
    Disable,
    Delete,
}

impl AccountChange {
    fn verb(self) -> &'static str {
        match self {
            AccountChange::Demote => "demote",
            AccountChange::Disable => "disable",
            AccountChange::Delete => "delete",
        }
    }
}

/// `active_admins`: admins who are not disabled, the target included.
pub fn check(
    actor_id: i64,
    target_id: i64,
    target_role: Role,
    change: AccountChange,
    active_admins: i64,
) -> Result<(), String> {
    if actor_id == target_id {
        return Err(format!("You cannot {} your own account.", change.verb()));
    }
    if target_role == Role::Admin && active_admins <= 1 {
        return Err(format!(
            "You cannot {} the last admin: make someone else an admin first.",
            change.verb()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_yourself_never_the_last_admin() {
        assert!(check(1, 1, Role::Admin, AccountChange::Demote, 3).is_err());
        assert!(check(1, 1, Role::Admin, AccountChange::Delete, 3).is_err());
        assert!(check(1, 2, Role::Admin, AccountChange::Disable, 1).is_err());
        assert!(check(1, 2, Role::Admin, AccountChange::Disable, 2).is_ok());
        assert!(check(1, 2, Role::Member, AccountChange::Delete, 1).is_ok());
    }
}
