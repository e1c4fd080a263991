//! Credentials at rest: AES-256-GCM with a random 96-bit nonce per record, a key id
//! for rotation, and associated data that binds a ciphertext to its owner and row,
//! so a ciphertext copied into another row does not decrypt.
//!
//! Format: `v1.{key_id}.{base64(nonce ‖ ciphertext ‖ tag)}`.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::{engine::general_purpose::STANDARD_NO_PAD as B64, Engine};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};

use crate::Error;

const UNREADABLE: &str =
    "Stored credentials for this connection cannot be decrypted; set the password again (PUT /databases/{id})";

/// Encrypts and decrypts with the configured key.
pub struct Vault {
    cipher: Aes256Gcm,
    key_id: String,
}

impl Vault {
    pub fn new(key: &SecretBox<[u8; 32]>) -> Self {
        let key = key.expose_secret();
        // The key id is a short fingerprint: it names the key without revealing it.
        let key_id = hex8(&Sha256::digest(key));
        Vault { cipher: Aes256Gcm::new(key.into()), key_id }
    }

    /// Encrypt `plain` for the record `(owner_id, record_id)`.
    pub fn seal(&self, plain: &str, owner_id: i64, record_id: i64) -> crate::Result<String> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = aad(owner_id, record_id);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&sealed);
        Ok(format!("v1.{}.{}", self.key_id, B64.encode(blob)))
    }

    /// Decrypt a value sealed for exactly this record.
    pub fn open(&self, sealed: &str, owner_id: i64, record_id: i64) -> crate::Result<String> {
        // A user can act on this (set the password again); the log says why.
        let fail = || Error::Conflict(UNREADABLE.into());
        let mut parts = sealed.splitn(3, '.');
        let (Some("v1"), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(fail());
        };
        if key_id != self.key_id {
            tracing::error!(stored = key_id, configured = %self.key_id, "credentials sealed with another key");
            return Err(fail());
        }
        let blob = B64.decode(body).map_err(|_| fail())?;
        if blob.len() < 12 + 16 {
            return Err(fail());
        }
        let (nonce, ciphertext) = blob.split_at(12);
        let aad = aad(owner_id, record_id);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: aad.as_bytes() })
            .map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }
}

fn aad(owner_id: i64, record_id: i64) -> String {
    format!("sqlagent/db_connection/{owner_id}/{record_id}")
}

fn hex8(bytes: &[u8]) -> String {
    bytes.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(byte: u8) -> Vault {
        Vault::new(&SecretBox::new(Box::new([byte; 32])))
    }

    #[test]
    fn sealed_values_open_only_for_their_own_record_and_key() {
        let v = vault(7);
        let sealed = v.seal("db_pass123", 1, 101).unwrap();
        assert!(sealed.starts_with("v1.") && !sealed.contains("db_pass123"));
        assert_eq!(v.open(&sealed, 1, 101).unwrap(), "db_pass123");
        assert!(v.open(&sealed, 2, 101).is_err(), "other owner");
        assert!(v.open(&sealed, 1, 102).is_err(), "other row");
        assert!(vault(8).open(&sealed, 1, 101).is_err(), "other key");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(v.open(&tampered, 1, 101).is_err(), "tampered");
        assert_ne!(v.seal("db_pass123", 1, 101).unwrap(), sealed, "fresh nonce each time");
    }
}
