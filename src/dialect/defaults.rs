//! Recording the documented defaults a dialect applies, so outputs can state them.

use std::borrow::Cow;

use crate::ir::{AppliedDefault, At};

pub struct Defaults {
    source: &'static str,
    applied: Vec<AppliedDefault>,
}

impl Defaults {
    pub fn new(source: &'static str) -> Self {
        Self {
            source,
            applied: Vec::new(),
        }
    }

    /// The given value, or `default` (recorded as applied to `field`, shown as `shown`).
    /// The field and the value shown are mostly the dialect's own words, kept without a copy
    /// (a fleet applies tens of defaults to each of thousands of connections).
    pub fn or<T>(
        &mut self,
        given: Option<At<T>>,
        field: impl Into<Cow<'static, str>>,
        shown: impl Into<Cow<'static, str>>,
        default: T,
    ) -> At<T> {
        given.unwrap_or_else(|| {
            self.applied.push(AppliedDefault {
                field: field.into(),
                value: shown.into(),
                source: Cow::Borrowed(self.source),
            });
            At::bare(default)
        })
    }

    /// A fact the input did not state, taken from another input (a gateway document).
    pub fn joined(&mut self, fact: AppliedDefault) {
        self.applied.push(fact);
    }

    /// Defaults recorded elsewhere (a part two tunnels share), in order.
    pub fn extend(&mut self, applied: Vec<AppliedDefault>) {
        self.applied.extend(applied);
    }

    pub fn into_vec(self) -> Vec<AppliedDefault> {
        self.applied
    }
}
