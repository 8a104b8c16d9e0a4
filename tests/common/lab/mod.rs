//! The harness of both interop labs. A scenario is data (scenario.rs: the files rendered for
//! each side, tunnels and addresses, expected SAs, prefixes, pings, actions, or the reason it
//! must stay down); one runner per lab records what happened in the same shape (host.rs:
//! lab/pair.sh in namespaces on the host; vm.rs: lab/vm/ in one QEMU boot of a real kernel);
//! expect.rs is the one copy of the assertions, report.rs the results table; pluto.rs loads
//! rendered libreswan files into a running pluto and judges what it said.
//!
//! Used by tests/interop.rs, tests/hostile_lab.rs, tests/vmlab.rs and tests/libreswan.rs (each
//! uses a part).
#![allow(dead_code)]

pub mod expect;
pub mod host;
pub mod pluto;
pub mod report;
pub mod scenario;
pub mod vici;
pub mod vm;
