//! Peer facts that both a document field and a command-line flag can give (the cloud
//! gateway's address, the customer gateway's address and ASN): the flag wins, and the field
//! it overrides is then known but not read, so it is neither an unknown field nor checked.

use crate::ir::At;

use super::fields::Obj;

/// The flag's value when given, else what `read` finds at `key` of `doc`.
pub fn flag_or<T>(
    flag: Option<T>,
    doc: Option<&Obj>,
    key: &'static str,
    read: impl FnOnce(&Obj) -> Option<At<T>>,
) -> Option<At<T>> {
    match (flag, doc) {
        (Some(v), doc) => {
            if let Some(o) = doc {
                o.ignore(&[key]);
            }
            Some(At::bare(v))
        }
        (None, Some(o)) => read(o),
        (None, None) => None,
    }
}
