//! Baselines for incremental adoption: record today's findings, then report only the ones that are new.
//!
//! A finding's identity is a fingerprint of its rule, its path (relative to
//! the baseline file's directory, with `/` separators), the text of its first
//! line with whitespace collapsed, and its occurrence index among findings
//! with the same three. Line numbers are deliberately left out, so edits above
//! a finding — or re-indenting it — keep it baselined, while a second copy of
//! the same line is new.
//!
//! The file is JSON, sorted, one entry per finding, stable across runs and
//! machines:
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     { "fingerprint": "5a0f3c2b9e61d7a4", "rule": "blocking_sleep", "path": "src/lib.rs" }
//!   ]
//! }
//! ```

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::line_index::{LineIndex, LineIndexes};
use crate::{Finding, Report};

/// The format version written to and accepted from baseline files.
const VERSION: u32 = 1;

/// A set of recorded findings.
///
/// ```
/// use asyncheck_lint::{Baseline, Linter};
///
/// let src = "async fn f() { std::thread::sleep(d); }\n";
/// let report = Linter::new().check_source("src/a.rs", src);
/// let baseline = Baseline::from_report(&report, std::path::Path::new("."));
/// assert!(baseline.filter(report).findings().is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The directory finding paths are made relative to.
    base: PathBuf,
    entries: BTreeSet<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    rule: String,
    path: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// A baseline file that cannot be read or written.
#[derive(Debug)]
pub struct BaselineError {
    path: PathBuf,
    reason: String,
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "baseline `{}`: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for BaselineError {}

impl Baseline {
    /// Records every finding of `report`, with paths relative to `base` (the baseline file's directory).
    pub fn from_report(report: &Report, base: &Path) -> Baseline {
        let base = absolute(base);
        let entries = identities(report, &base)
            .map(|(finding, fingerprint)| Entry {
                fingerprint,
                rule: finding.rule.to_owned(),
                path: relative(&base, &finding.path),
            })
            .collect();
        Baseline { base, entries }
    }

    /// How many findings the baseline holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the baseline holds no finding.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads a baseline file; its directory becomes the base of its paths.
    ///
    /// # Errors
    /// When the file cannot be read, is not a baseline, or has another version.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let error = |reason: String| BaselineError {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let file: File = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
        if file.version != VERSION {
            return Err(error(format!(
                "version {} is not supported (expected {VERSION})",
                file.version
            )));
        }
        Ok(Baseline {
            base: absolute(path.parent().unwrap_or(Path::new("."))),
            entries: file.findings.into_iter().collect(),
        })
    }

    /// The baseline as the JSON text of a baseline file (sorted, ending in a newline).
    pub fn to_json(&self) -> String {
        let file = File {
            version: VERSION,
            findings: self.entries.iter().cloned().collect(),
        };
        let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
        out.push('\n');
        out
    }

    /// Writes the baseline to `path`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        std::fs::write(path, self.to_json()).map_err(|e| BaselineError {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// `report` without the findings this baseline records.
    pub fn filter(&self, mut report: Report) -> Report {
        let known: std::collections::HashSet<&str> = self
            .entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let keep: Vec<bool> = identities(&report, &self.base)
            .map(|(_, fingerprint)| !known.contains(fingerprint.as_str()))
            .collect();
        let mut keep = keep.into_iter();
        report.findings.retain(|_| keep.next().unwrap_or(true));
        report
    }
}

/// The baseline fingerprint of every finding of `report`, in report order, with
/// paths relative to the current directory (SARIF's `partialFingerprints`).
pub(crate) fn fingerprints(report: &Report) -> Vec<String> {
    identities(report, &absolute(Path::new(".")))
        .map(|(_, fingerprint)| fingerprint)
        .collect()
}

/// Every finding of `report` with its fingerprint, in report order.
fn identities<'r>(
    report: &'r Report,
    base: &Path,
) -> impl Iterator<Item = (&'r Finding, String)> + 'r {
    let base = base.to_path_buf();
    let mut seen: HashMap<(&'static str, String, String), usize> = HashMap::new();
    let mut indexes = LineIndexes::default();
    report.findings().iter().map(move |finding| {
        let path = relative(&base, &finding.path);
        let line = report
            .source(&finding.path)
            .and_then(|text| {
                fingerprinted_line(indexes.get(&finding.path, text), finding.span.line.max(1))
            })
            .unwrap_or_default();
        let text = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let occurrence = seen
            .entry((finding.rule, path.clone(), text.clone()))
            .or_default();
        let fingerprint = fingerprint(&[finding.rule, &path, &text, &occurrence.to_string()]);
        *occurrence += 1;
        (finding, fingerprint)
    })
}

/// The text of `line` that a fingerprint hashes: without its line ending, and
/// on line 1 with the byte order mark the file may start with — as baselines
/// have always hashed it, so that the ones already written keep matching.
fn fingerprinted_line<'s>(lines: &LineIndex<'s>, line: usize) -> Option<&'s str> {
    let range = lines.line_range(line)?;
    let start = if line == 1 { 0 } else { range.start };
    Some(&lines.text()[start..range.end])
}

/// 64-bit FNV-1a of the parts, each followed by a NUL, as 16 hex digits.
///
/// Hand-written rather than `std`'s hasher, whose output may change between
/// Rust releases: a baseline must mean the same thing next year.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// `path` made absolute against the current directory (an empty path is the current directory).
fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `path` relative to `base` when under it, with `/` separators.
fn relative(base: &Path, path: &Path) -> String {
    let absolute = absolute(path);
    let path = absolute.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_values() {
        // Pinned: changing the hash would invalidate every baseline in use.
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        assert_eq!(fingerprint(&["a"]), fingerprint(&["a"]));
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }

    #[test]
    fn paths_are_relative_to_the_base_with_slashes() {
        let base = absolute(Path::new("proj"));
        assert_eq!(relative(&base, &base.join("src").join("a.rs")), "src/a.rs");
        assert_eq!(relative(&base, Path::new("proj/src/a.rs")), "src/a.rs");
    }
}
