//! The command line's side of the desk: how results are printed, and the
//! commands of the duty routine (weights, periods, roll-call, reports).

pub mod print;
pub mod routine;
