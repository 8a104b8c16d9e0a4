//! One model, two sides: `mirror()` turns the cloud's view into the customer's and back.

use super::Connection;

impl Connection {
    /// The same connection seen from the other side: local and remote endpoints swap.
    /// Everything negotiated (proposals, lifetimes, PSK, DPD, BGP link) is shared and stays.
    pub fn mirror(&self) -> Connection {
        let mut m = self.clone();
        std::mem::swap(&mut m.local, &mut m.remote);
        m.view = self.view.other();
        m
    }
}

#[cfg(test)]
mod tests {
    use super::super::Side;

    #[test]
    fn mirror_twice_is_identity() {
        let conn = crate::dialect::tests_support::sample_connection();
        let m = conn.mirror();
        assert_eq!(m.view, Side::Customer);
        assert_eq!(m.local, conn.remote);
        assert_eq!(m.remote, conn.local);
        assert_eq!(m.mirror(), conn);
    }
}
