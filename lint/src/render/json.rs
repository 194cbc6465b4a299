//! The `json` format: one array of flat finding objects, in report order.
//!
//! Each object has `rule`, `severity` (`"warning"` or `"error"`), `message`,
//! `path`, the span as 1-based `line`, `column`, `end_line` and `end_column`
//! (columns in chars, `end_column` exclusive), `help`, and `notes`: an array,
//! `[]` for most findings, of other places that explain the finding, each
//! `{"message", "line", "column", "end_line", "end_column"}` with positions
//! counted the same way, plus `"path"` when the place is in another file than
//! the finding (the hops of a call chain, see `engine/summary.rs`). `sync_lock_across_await`, for one, is
//! reported at the `let` with a note at the `.await`; for
//! `async fn f(m: &Mutex<u8>) {\n    let g = m.lock().unwrap();\n    g2().await;\n}`:
//!
//! ```json
//! [
//!   {
//!     "rule": "sync_lock_across_await",
//!     "severity": "warning",
//!     "message": "`g` holds a synchronous `.lock()` guard across an `.await`",
//!     "path": "src/lib.rs",
//!     "line": 2,
//!     "column": 5,
//!     "end_line": 2,
//!     "end_column": 31,
//!     "help": "drop the guard before the `.await` …",
//!     "notes": [
//!       {
//!         "message": "the guard is still alive at this `.await`",
//!         "line": 3,
//!         "column": 9,
//!         "end_line": 3,
//!         "end_column": 15
//!       }
//!     ]
//!   }
//! ]
//! ```

use serde::Serialize;

use crate::{Report, Severity};

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: &'a str,
    notes: Vec<JsonNote<'a>>,
}

#[derive(Serialize)]
struct JsonNote<'a> {
    message: &'a str,
    /// Only for a note in another file than its finding's.
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

pub(crate) fn render(report: &Report) -> String {
    let findings: Vec<JsonFinding<'_>> = report
        .findings()
        .iter()
        .map(|f| JsonFinding {
            rule: f.rule,
            severity: f.severity,
            message: &f.message,
            path: f.path.display().to_string(),
            line: f.span.line,
            column: f.span.column,
            end_line: f.span.end_line,
            end_column: f.span.end_column,
            help: &f.help,
            notes: f
                .notes
                .iter()
                .map(|n| JsonNote {
                    message: &n.message,
                    path: n.path.as_ref().map(|p| p.display().to_string()),
                    line: n.span.line,
                    column: n.span.column,
                    end_line: n.span.end_line,
                    end_column: n.span.end_column,
                })
                .collect(),
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".to_owned());
    out.push('\n');
    out
}
