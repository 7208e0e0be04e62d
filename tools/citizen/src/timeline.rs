//! `--timings`: when each step of a command ended, in seconds from the start of the command,
//! on stderr. Steps that run at once (the proving key and the tree) interleave; the last line is
//! the command's own time, without the process's start and exit.

use std::{
	sync::{
		atomic::{AtomicBool, Ordering},
		OnceLock,
	},
	time::Instant,
};

static START: OnceLock<Instant> = OnceLock::new();
static ON: AtomicBool = AtomicBool::new(false);

/// Starts the clock; `enabled` says whether [`mark`] prints.
pub fn start(enabled: bool) {
	START.get_or_init(Instant::now);
	ON.store(enabled, Ordering::Relaxed);
}

/// Notes that `step` has just ended.
pub fn mark(step: &str) {
	if ON.load(Ordering::Relaxed) {
		let at = START.get_or_init(Instant::now).elapsed();
		eprintln!("[{:>7.3} s] {step}", at.as_secs_f64());
	}
}
