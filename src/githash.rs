//! Git object ids computed locally, so unchanged files are never uploaded.

/// The git blob SHA-1 of `bytes`: `sha1("blob " + len + "\0" + bytes)`, lowercase hex.
///
/// GitHub reports the same value as `sha` in tree listings, so equal SHAs mean equal files.
pub fn git_blob_sha(bytes: &[u8]) -> String {
    let mut hasher = sha1_smol::Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hasher.digest().to_string()
}

/// SHA-1 hex of arbitrary bytes (used for fingerprints, not git objects).
pub(crate) fn sha1_hex(bytes: &[u8]) -> String {
    sha1_smol::Sha1::from(bytes).digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_values_recorded_from_github() {
        assert_eq!(git_blob_sha(b"Test content"), "3f3f005b29247e51a4f4d6b8ce07b67646cd6074");
        assert_eq!(git_blob_sha(b"# hello-world"), "93a078d1c3f76aa1ca11def8f882a06df1d4a01b");
        assert_eq!(git_blob_sha(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
