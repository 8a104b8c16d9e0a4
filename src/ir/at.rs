//! `At<T>`: a value with the place in the input it came from.

use serde::Serialize;

use crate::tree::Span;

/// A value and its span in the input (`None` for defaults, CLI flags and derived values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub span: Option<Span>,
}

impl<T> At<T> {
    pub fn new(value: T, span: Option<Span>) -> Self {
        Self { value, span }
    }

    /// A value with no place in the input (a default, a flag, a derived value).
    pub fn bare(value: T) -> Self {
        Self { value, span: None }
    }
}

impl<T: Copy> At<T> {
    pub fn get(&self) -> T {
        self.value
    }
}

impl<T: Serialize> Serialize for At<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}
