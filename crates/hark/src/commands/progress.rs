//! Progress of a long command on stderr: an indicatif bar when stderr is a terminal, else a
//! plain line every few seconds (for logs and CI, where a bar's redraws are noise).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Time between two plain lines.
const LINE_EVERY: Duration = Duration::from_secs(2);

/// Reports how far a command has got through its input.
pub enum Progress {
    /// A bar over the input's bytes, with a status message.
    Bar(ProgressBar),
    /// `PREFIX: STATUS` lines, at most one per [`LINE_EVERY`].
    Lines {
        /// What each line starts with, e.g. `hark import-csv`.
        prefix: &'static str,
        /// When the last line was written (or the start).
        last: Instant,
    },
}

impl Progress {
    /// A bar when stderr is a terminal (over `total_bytes` when known), else plain lines.
    pub fn new(prefix: &'static str, total_bytes: Option<u64>) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self::Lines {
                prefix,
                last: Instant::now(),
            };
        }
        let bar = ProgressBar::new(total_bytes.unwrap_or(0));
        // The template is a constant; should it ever not parse, the default style still works.
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {percent:>3}%  {msg}  eta {eta}")
        {
            bar.set_style(style);
        }
        Self::Bar(bar)
    }

    /// Records that `bytes` of the input are read; `status` is called only when shown.
    pub fn update(&mut self, bytes: u64, status: impl FnOnce() -> String) {
        match self {
            Self::Bar(bar) => {
                bar.set_position(bytes);
                bar.set_message(status());
            }
            Self::Lines { prefix, last } => {
                if last.elapsed() >= LINE_EVERY {
                    eprintln!("{prefix}: {}", status());
                    *last = Instant::now();
                }
            }
        }
    }

    /// Removes the bar (the command's summary follows on stdout).
    pub fn finish(&self) {
        if let Self::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
