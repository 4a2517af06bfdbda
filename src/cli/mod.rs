//! The command line's side of the desk: how results are printed, the
//! commands of the duty routine (weights, periods, roll-call, reports), and
//! `desk bench`, which hands over to the separate `desk-bench` binary.

pub mod bench;
pub mod print;
pub mod routine;
