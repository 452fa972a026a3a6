//! argon2id password hashing with the OWASP minimum (m=19456 KiB, t=2, p=1),
//! stored as a PHC string.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    // These parameters are valid constants, so `Params::new` cannot fail here.
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the username does not exist, so that a login
/// takes as long for an unknown user as for a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash("not a real password, only for timing").unwrap_or_default());

pub fn verify_dummy(password: &str) {
    let _ = verify(password, &DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_and_verify() {
        let phc = super::hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("correct horse battery", &phc));
        assert!(!super::verify("wrong horse battery", &phc));
        assert!(!super::verify("anything", "not a phc string"));
    }
}
