//! What the scenarios measured and how it is printed: one markdown table with a row per shape
//! and measurement and a column per binary, medians and 90th percentiles (nearest rank), the
//! goals of issue 13 marked met (✓) or missed (✗).

use std::time::Duration;

use crate::server::Stop;

/// A scenario's samples, and why it ended early if it did.
pub(crate) struct Measured {
    pub(crate) samples: Vec<Duration>,
    pub(crate) stop: Option<Stop>,
    /// The time cap, shown when no sample came back.
    pub(crate) cap: Duration,
    /// Requests answered with an error or a null result.
    pub(crate) refused: usize,
}

impl Measured {
    pub(crate) fn new(cap: Duration) -> Measured {
        Measured {
            samples: Vec::new(),
            stop: None,
            cap,
            refused: 0,
        }
    }

    pub(crate) fn with_errors(mut self, refused: usize) -> Measured {
        self.refused = refused;
        self
    }

    /// Nearest-rank percentile, in milliseconds.
    fn percentile(&self, p: usize) -> Option<f64> {
        let mut sorted = self.samples.clone();
        sorted.sort();
        let rank = (sorted.len() * p).div_ceil(100).max(1) - 1;
        sorted.get(rank).map(|t| t.as_secs_f64() * 1000.0)
    }
}

pub(crate) enum Cell {
    Times(Measured),
    /// Memory in KiB.
    Kib(u64),
    /// Server CPU time per keystroke, in milliseconds.
    Cpu(f64),
    Text(String),
}

/// A goal of issue 13 for a row, at the shape's size.
#[derive(Clone, Copy)]
pub(crate) enum Goal {
    Median(f64),
    MedianP90(f64, f64),
    /// At most this many MiB.
    Memory(u64),
    None,
}

impl Goal {
    /// The goal of a row at a file length (`lines`, the nominal 10,000 or 50,000).
    pub(crate) fn of(what: &str, lines: usize) -> Goal {
        let keystroke = what.contains("typed") || what.contains("closing");
        match (lines, what) {
            (10_000, _) if what.starts_with("30 keys") => Goal::Median(50.0),
            (10_000, _) if keystroke => Goal::MedianP90(10.0, 20.0),
            (50_000, _) if keystroke && !what.starts_with("30 keys") => Goal::Median(25.0),
            (10_000, "codeAction at a cursor move") => Goal::Median(10.0),
            (10_000, "prepareRename of a global" | "rename of a global") => Goal::Median(50.0),
            (10_000, "open → first publishDiagnostics") => Goal::Median(300.0),
            (10_000, _) if what.starts_with("completion") || what.starts_with("hover") => {
                Goal::Median(16.0)
            }
            (10_000, _) if what.starts_with("peak RSS") => Goal::Memory(200),
            (10_000, "RSS 2 s after the bursts") => Goal::Memory(250),
            (50_000, _) if what.contains("RSS") => Goal::Memory(1024),
            _ => Goal::None,
        }
    }

    fn label(self) -> String {
        match self {
            Goal::Median(ms) => format!("median ≤ {ms} ms"),
            Goal::MedianP90(m, p) => format!("≤ {m} / {p} ms"),
            Goal::Memory(mib) if mib >= 1024 => format!("≤ {} GiB", mib / 1024),
            Goal::Memory(mib) => format!("≤ {mib} MiB"),
            Goal::None => String::new(),
        }
    }
}

fn mark(met: bool) -> &'static str {
    if met { " ✓" } else { " ✗" }
}

fn time(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

fn stop_text(stop: Stop, cap: Duration) -> String {
    match stop {
        Stop::Timeout => format!("> {} s (timeout)", cap.as_secs()),
        Stop::Memory => "over the memory cap (killed)".to_owned(),
        Stop::Died => "the server died".to_owned(),
    }
}

impl Cell {
    fn render(&self, goal: Goal) -> String {
        match self {
            Cell::Times(measured) => {
                let (Some(median), Some(p90)) = (measured.percentile(50), measured.percentile(90))
                else {
                    return match measured.stop {
                        Some(stop) => stop_text(stop, measured.cap),
                        None => "-".to_owned(),
                    };
                };
                let met = match goal {
                    Goal::Median(m) => mark(median <= m),
                    Goal::MedianP90(m, p) => mark(median <= m && p90 <= p),
                    Goal::Memory(_) | Goal::None => "",
                };
                let mut text = format!(
                    "{} / {} (n={}){met}",
                    time(median),
                    time(p90),
                    measured.samples.len()
                );
                if measured.refused > 0 {
                    text.push_str(&format!(", {} refused", measured.refused));
                }
                if let Some(stop) = measured.stop {
                    text.push_str(&format!(", then {}", stop_text(stop, measured.cap)));
                }
                text
            }
            Cell::Kib(kib) => {
                let met = match goal {
                    Goal::Memory(mib) => mark(*kib <= mib * 1024),
                    _ => "",
                };
                format!("{} MiB{met}", kib / 1024)
            }
            Cell::Cpu(ms) => format!("{ms:.1} ms"),
            Cell::Text(text) => text.clone(),
        }
    }
}

struct Row {
    shape: String,
    what: &'static str,
    goal: Goal,
    /// One cell per binary, in the order of the binaries.
    cells: Vec<Option<Cell>>,
}

/// The rows in the order they were first filled, with a column per binary.
pub(crate) struct Table {
    binaries: Vec<String>,
    rows: Vec<Row>,
}

impl Table {
    pub(crate) fn new(binaries: Vec<String>) -> Table {
        Table {
            binaries,
            rows: Vec::new(),
        }
    }

    pub(crate) fn put(
        &mut self,
        shape: &str,
        what: &'static str,
        goal: Goal,
        binary: usize,
        cell: Cell,
    ) {
        let columns = self.binaries.len();
        let at = match self
            .rows
            .iter()
            .position(|row| row.shape == shape && row.what == what)
        {
            Some(at) => at,
            None => {
                self.rows.push(Row {
                    shape: shape.to_owned(),
                    what,
                    goal,
                    cells: (0..columns).map(|_| None).collect(),
                });
                self.rows.len() - 1
            }
        };
        if let Some(slot) = self.rows[at].cells.get_mut(binary) {
            *slot = Some(cell);
        }
    }

    /// The cell of one row and binary, rendered (for progress lines).
    pub(crate) fn rendered(&self, shape: &str, what: &str, binary: usize) -> String {
        self.rows
            .iter()
            .find(|row| row.shape == shape && row.what == what)
            .and_then(|row| {
                row.cells
                    .get(binary)
                    .and_then(Option::as_ref)
                    .map(|cell| cell.render(row.goal))
            })
            .unwrap_or_default()
    }

    /// The main table, then the keystroke CPU rows again as a table of forms × binaries.
    pub(crate) fn markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "| File | Measurement | Goal | {} |\n",
            self.binaries.join(" | ")
        ));
        out.push_str(&format!(
            "|---|---|---|{}\n",
            "---|".repeat(self.binaries.len())
        ));
        for row in &self.rows {
            let cells: Vec<String> = row
                .cells
                .iter()
                .map(|cell| cell.as_ref().map_or(String::new(), |c| c.render(row.goal)))
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                row.shape,
                row.what,
                row.goal.label(),
                cells.join(" | ")
            ));
        }
        out
    }

    /// The rows whose measurement is `what`, as a smaller table: shape × binaries.
    pub(crate) fn markdown_of(&self, what: &str, heading: &str) -> String {
        let mut out = format!("| {heading} | {} |\n", self.binaries.join(" | "));
        out.push_str(&format!("|---|{}\n", "---|".repeat(self.binaries.len())));
        for row in self.rows.iter().filter(|row| row.what == what) {
            let cells: Vec<String> = row
                .cells
                .iter()
                .map(|cell| cell.as_ref().map_or(String::new(), |c| c.render(row.goal)))
                .collect();
            out.push_str(&format!("| {} | {} |\n", row.shape, cells.join(" | ")));
        }
        out
    }
}
