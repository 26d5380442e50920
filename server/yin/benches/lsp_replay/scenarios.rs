//! The scenarios run on one shape with one binary: each times what a user waits for, from
//! writing the message to reading the awaited answer, within a time cap, and puts the text back
//! as it found it. A scenario that hits its cap or the memory cap kills the server; the next one
//! starts a fresh server and opens the file again.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::report::{Cell, Measured};
use crate::server::{self, Server, Stop};
use crate::shapes::{At, Shape};

/// Time limits and sample counts, full or quick.
pub(crate) struct Limits {
    /// No sample may end later than this after its scenario started.
    pub(crate) cap: Duration,
    /// After this, a scenario that has three samples takes no more.
    pub(crate) sampling: Duration,
    /// The most samples of a keystroke scenario (the symbol one takes twice as many, for CPU).
    pub(crate) samples: usize,
    /// After this much time on one shape with one binary, its remaining scenarios are skipped.
    pub(crate) per_shape: Duration,
    pub(crate) memory_cap_kib: u64,
}

/// One shape with one binary: the server (started on demand), the open document and its
/// version.
pub(crate) struct Session<'a> {
    binary: &'a Path,
    shape: &'a Shape,
    limits: &'a Limits,
    server: Option<Server>,
    version: i64,
    /// The first open of this session, timed, with the peak memory right after it.
    first_open: Option<(Duration, u64)>,
    /// The highest peak memory of the servers ended so far on this shape.
    peak_kib: u64,
    began: Instant,
}

const URI: &str = "file:///bench/edited.yin";

/// A scenario's rows, in the order the scenario fills them.
pub(crate) type Rows = Vec<(&'static str, Cell)>;

impl<'a> Session<'a> {
    pub(crate) fn new(binary: &'a Path, shape: &'a Shape, limits: &'a Limits) -> Session<'a> {
        Session {
            binary,
            shape,
            limits,
            server: None,
            version: 1,
            first_open: None,
            peak_kib: 0,
            began: Instant::now(),
        }
    }

    /// Whether this shape has had its share of the run with this binary.
    pub(crate) fn over_budget(&self) -> bool {
        self.began.elapsed() > self.limits.per_shape
    }

    /// A running server with the shape's text open and its first diagnostics in; a server that
    /// cannot get there within twice the cap is a failure of the scenario that asked.
    fn ready(&mut self) -> Result<&mut Server, Stop> {
        if self.server.is_none() {
            let deadline = Instant::now() + self.limits.cap * 2;
            let mut server = Server::start(
                self.binary,
                json!({ "processId": std::process::id(), "rootUri": null, "capabilities": {} }),
                self.limits.memory_cap_kib,
                deadline,
            )?;
            let start = Instant::now();
            open(&mut server, URI, &self.shape.text);
            server.diagnostics(URI, 1, deadline)?;
            let took = start.elapsed();
            if self.first_open.is_none() {
                self.first_open = Some((took, server::peak_kib(server.pid())));
            }
            self.version = 1;
            self.server = Some(server);
        }
        self.server.as_mut().ok_or(Stop::Died)
    }

    fn pid(&mut self) -> Option<u32> {
        self.server.as_ref().map(Server::pid)
    }

    /// Ends the server after a stop: its state is unknown.
    fn drop_server(&mut self) {
        if let Some(mut server) = self.server.take() {
            self.peak_kib = self.peak_kib.max(server.peak_kib());
            server.kill();
        }
    }

    pub(crate) fn close(&mut self) {
        if let Some(server) = self.server.take() {
            self.peak_kib = self.peak_kib.max(server.peak_kib());
            server.exit(Duration::from_secs(5));
        }
    }

    /// Whether the server's text is still the shape's (every scenario puts back what it
    /// changed); a server whose text drifted is ended, so the next scenario starts afresh.
    /// Servers without `yin/viewFileText` are taken at their word.
    pub(crate) fn text_drifted(&mut self) -> bool {
        let deadline = Instant::now() + self.limits.cap;
        let Some(server) = self.server.as_mut() else {
            return false;
        };
        let drifted = match server.request(
            "yin/viewFileText",
            json!({ "textDocument": { "uri": URI } }),
            deadline,
        ) {
            Ok(reply) => reply["result"]
                .as_str()
                .is_some_and(|text| text != self.shape.text),
            Err(_) => true,
        };
        if drifted {
            self.drop_server();
        }
        drifted
    }

    /// Sends one range change; returns its version.
    fn change(&mut self, from: At, to: At, text: &str) -> Result<i64, Stop> {
        // A restart (which reopens at version 1) comes before the version is chosen.
        self.ready()?;
        let version = self.version + 1;
        let server = self.ready()?;
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [{ "range": range(from, to), "text": text }],
            }),
        );
        self.version = version;
        Ok(version)
    }

    fn diagnostics(&mut self, version: i64, deadline: Instant) -> Result<(), Stop> {
        self.ready()?
            .diagnostics(URI, version, deadline)
            .map(|_| ())
    }

    /// An edit timed until the diagnostics of its version.
    fn timed_change(
        &mut self,
        from: At,
        to: At,
        text: &str,
        deadline: Instant,
    ) -> Result<Duration, Stop> {
        self.ready()?;
        let start = Instant::now();
        let version = self.change(from, to, text)?;
        self.diagnostics(version, deadline)?;
        Ok(start.elapsed())
    }

    fn request(&mut self, method: &str, params: Value, deadline: Instant) -> Result<Value, Stop> {
        self.ready()?.request(method, params, deadline)
    }
}

/// When to take another sample.
struct Budget {
    soft: Instant,
    /// Until then, a scenario with fewer than three samples takes another.
    minimum: Instant,
    hard: Instant,
    max: usize,
}

impl Budget {
    fn new(limits: &Limits, max: usize) -> Budget {
        let now = Instant::now();
        Budget {
            soft: now + limits.sampling,
            minimum: now + limits.sampling * 2,
            hard: now + limits.cap,
            max,
        }
    }

    /// Samples until the sampling time is up, at least three if they fit in twice that (a slow
    /// server gets fewer, each shown with its count), and never one that the last one's
    /// duration says would pass the cap.
    fn another(&self, taken: usize, last: Duration) -> bool {
        let now = Instant::now();
        taken < self.max
            && (now < self.soft || (taken < 3 && now < self.minimum))
            && now + last < self.hard
    }
}

/// Runs `sample` until the budget says stop; a stop kills the server and ends the samples.
fn sampled(
    session: &mut Session<'_>,
    max: usize,
    mut sample: impl FnMut(&mut Session<'_>, usize, Instant) -> Result<Duration, Stop>,
) -> Measured {
    let budget = Budget::new(session.limits, max);
    let mut measured = Measured::new(session.limits.cap);
    let mut last = Duration::ZERO;
    while budget.another(measured.samples.len(), last) {
        match sample(session, measured.samples.len(), budget.hard) {
            Ok(took) => {
                last = took;
                measured.samples.push(took);
            }
            Err(stop) => {
                measured.stop = Some(stop);
                session.drop_server();
                break;
            }
        }
    }
    measured
}

fn fail(session: &mut Session<'_>, stop: Stop, cap: Duration) -> Measured {
    session.drop_server();
    let mut measured = Measured::new(cap);
    measured.stop = Some(stop);
    measured
}

fn range(from: At, to: At) -> Value {
    json!({
        "start": { "line": from.0, "character": from.1 },
        "end": { "line": to.0, "character": to.1 },
    })
}

fn open(server: &mut Server, uri: &str, text: &str) {
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yin", "version": 1, "text": text } }),
    );
}

fn right(at: At, by: u32) -> At {
    (at.0, at.1 + by)
}

/// Opening: the session's first open, then the same text under new URIs (closed after), and
/// the peak memory after the first.
pub(crate) fn opening(session: &mut Session<'_>) -> Rows {
    let cap = session.limits.cap * 2;
    let first = match session.ready() {
        Ok(_) => session.first_open,
        Err(stop) => {
            let measured = fail(session, stop, cap);
            return vec![
                ("open → first publishDiagnostics", Cell::Times(measured)),
                ("peak RSS (VmHWM) after open", Cell::Text("-".to_owned())),
            ];
        }
    };
    let (took, peak) = first.unwrap_or_default();
    let max = (session.limits.samples / 4).max(3);
    let mut measured = sampled(session, max - 1, |session, n, deadline| {
        let uri = format!("file:///bench/opened-{n}.yin");
        let shape = session.shape;
        let text = &shape.text;
        let server = session.ready()?;
        let start = Instant::now();
        open(server, &uri, text);
        server.diagnostics(&uri, 1, deadline)?;
        let took = start.elapsed();
        server.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
        Ok(took)
    });
    measured.samples.push(took);
    vec![
        ("open → first publishDiagnostics", Cell::Times(measured)),
        ("peak RSS (VmHWM) after open", Cell::Kib(peak)),
    ]
}

/// A character typed at `at` and deleted again, alternately, each until its diagnostics.
fn keystrokes(session: &mut Session<'_>, at: At, typed: &str, max: usize) -> Measured {
    let mut typed_last = false;
    let measured = sampled(session, max, |session, n, deadline| {
        typed_last = n % 2 == 0;
        if typed_last {
            session.timed_change(at, at, typed, deadline)
        } else {
            session.timed_change(at, right(at, 1), "", deadline)
        }
    });
    if typed_last && measured.stop.is_none() {
        let deadline = Instant::now() + session.limits.cap;
        if let Err(stop) = session
            .change(at, right(at, 1), "")
            .and_then(|version| session.diagnostics(version, deadline))
        {
            let _ = fail(session, stop, session.limits.cap);
        }
    }
    measured
}

/// A letter typed into a symbol, with the server's CPU time per keystroke.
pub(crate) fn symbol(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.symbol;
    let (before, pid) = match session.ready() {
        Ok(server) => {
            server::settle(server.pid());
            (server::cpu_ms(server.pid()), server.pid())
        }
        Err(stop) => {
            let measured = fail(session, stop, session.limits.cap * 2);
            return vec![
                (
                    "char typed in a symbol → diagnostics",
                    Cell::Times(measured),
                ),
                (
                    "server CPU per keystroke (symbol)",
                    Cell::Text("-".to_owned()),
                ),
            ];
        }
    };
    let measured = keystrokes(session, at, "x", session.limits.samples * 2);
    let cpu = match (measured.stop, session.pid()) {
        (None, Some(now)) if now == pid && !measured.samples.is_empty() => Cell::Cpu(
            server::cpu_ms(pid).saturating_sub(before) as f64 / measured.samples.len() as f64,
        ),
        _ => Cell::Text("-".to_owned()),
    };
    vec![
        (
            "char typed in a symbol → diagnostics",
            Cell::Times(measured),
        ),
        ("server CPU per keystroke (symbol)", cpu),
    ]
}

pub(crate) fn comment(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.comment;
    let measured = keystrokes(session, at, "x", session.limits.samples);
    vec![(
        "char typed in a comment → diagnostics",
        Cell::Times(measured),
    )]
}

pub(crate) fn string(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.string;
    let measured = keystrokes(session, at, "x", session.limits.samples);
    vec![(
        "char typed in a string → diagnostics",
        Cell::Times(measured),
    )]
}

pub(crate) fn between(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.between;
    let measured = keystrokes(session, at, " ", session.limits.samples);
    vec![(
        "space typed between forms → diagnostics",
        Cell::Times(measured),
    )]
}

/// 50 lines pasted on the blank line between forms, then removed, alternately.
pub(crate) fn paste(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.between;
    let end = (at.0 + crate::shapes::PASTE_LINES as u32, 0);
    let text = session.shape.paste.clone();
    let mut removals = Measured::new(session.limits.cap);
    let mut pasted = sampled(
        session,
        session.limits.samples / 2,
        |session, _, deadline| {
            let took = session.timed_change(at, at, &text, deadline)?;
            match session.timed_change(at, end, "", deadline) {
                Ok(removed) => removals.samples.push(removed),
                Err(stop) => {
                    removals.stop = Some(stop);
                    return Err(stop);
                }
            }
            Ok(took)
        },
    );
    if removals.stop.is_some() && pasted.stop == removals.stop {
        // The paste was timed; only its removal stopped.
        pasted.stop = None;
    }
    vec![
        ("50-line paste → diagnostics", Cell::Times(pasted)),
        ("its removal → diagnostics", Cell::Times(removals)),
    ]
}

/// A whole form deleted (timed), then put back (not timed).
pub(crate) fn delete_form(session: &mut Session<'_>) -> Rows {
    let shape = session.shape;
    let (first, end) = shape.places.form_lines;
    let form: String = shape
        .text
        .lines()
        .skip(first as usize)
        .take((end - first) as usize)
        .map(|line| format!("{line}\n"))
        .collect();
    let measured = sampled(
        session,
        session.limits.samples / 2,
        |session, _, deadline| {
            let took = session.timed_change((first, 0), (end, 0), "", deadline)?;
            session.timed_change((first, 0), (first, 0), &form, deadline)?;
            Ok(took)
        },
    );
    vec![("delete a form → diagnostics", Cell::Times(measured))]
}

/// `textDocument/codeAction` for an empty range, the cursor moving between two places.
pub(crate) fn code_action(session: &mut Session<'_>) -> Rows {
    let places = [session.shape.places.symbol, session.shape.places.global];
    let mut errors = 0;
    let measured = sampled(session, session.limits.samples, |session, n, deadline| {
        let at = places[n % 2];
        // A server restarted after an earlier stop is ready before the clock starts.
        session.ready()?;
        let start = Instant::now();
        let reply = session.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": range(at, at),
                "context": { "diagnostics": [], "triggerKind": 2 },
            }),
            deadline,
        )?;
        errors += usize::from(reply.get("error").is_some());
        Ok(start.elapsed())
    });
    vec![(
        "codeAction at a cursor move",
        Cell::Times(measured.with_errors(errors)),
    )]
}

pub(crate) fn rename(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.global;
    let position =
        json!({ "textDocument": { "uri": URI }, "position": { "line": at.0, "character": at.1 } });
    let mut rows = Vec::new();
    for (what, method, params) in [
        (
            "prepareRename of a global",
            "textDocument/prepareRename",
            position.clone(),
        ),
        ("rename of a global", "textDocument/rename", {
            let mut params = position.clone();
            params["newName"] = json!("renamed-global");
            params
        }),
    ] {
        let mut errors = 0;
        let measured = sampled(
            session,
            session.limits.samples / 2,
            |session, _, deadline| {
                session.ready()?;
                let start = Instant::now();
                let reply = session.request(method, params.clone(), deadline)?;
                errors += usize::from(reply.get("error").is_some() || reply["result"].is_null());
                Ok(start.elapsed())
            },
        );
        rows.push((what, Cell::Times(measured.with_errors(errors))));
    }
    rows
}

/// `semanticTokens/full/delta` after a letter typed into a symbol (or deleted), the edit's
/// diagnostics awaited first and not timed.
pub(crate) fn token_delta(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.symbol;
    let cap = session.limits.cap;
    let document = json!({ "textDocument": { "uri": URI } });
    let full = session.request(
        "textDocument/semanticTokens/full",
        document.clone(),
        Instant::now() + cap,
    );
    let mut result_id = match full {
        Ok(reply) => reply["result"]["resultId"].clone(),
        Err(stop) => {
            return vec![(
                "semanticTokens/full/delta after a 1-char edit",
                Cell::Times(fail(session, stop, cap)),
            )];
        }
    };
    let mut typed = false;
    let measured = sampled(
        session,
        session.limits.samples / 2,
        |session, _, deadline| {
            typed = !typed;
            let version = if typed {
                session.change(at, at, "x")?
            } else {
                session.change(at, right(at, 1), "")?
            };
            session.diagnostics(version, deadline)?;
            let mut params = document.clone();
            params["previousResultId"] = result_id.clone();
            let start = Instant::now();
            let reply =
                session.request("textDocument/semanticTokens/full/delta", params, deadline)?;
            let took = start.elapsed();
            result_id = reply["result"]["resultId"].clone();
            Ok(took)
        },
    );
    if typed && measured.stop.is_none() {
        let deadline = Instant::now() + cap;
        if let Err(stop) = session
            .change(at, right(at, 1), "")
            .and_then(|version| session.diagnostics(version, deadline))
        {
            let _ = fail(session, stop, cap);
        }
    }
    vec![(
        "semanticTokens/full/delta after a 1-char edit",
        Cell::Times(measured),
    )]
}

pub(crate) fn completion_and_hover(session: &mut Session<'_>) -> Rows {
    let mut rows = Vec::new();
    for (what, method, at) in [
        (
            "completion (after a local's name)",
            "textDocument/completion",
            session.shape.places.symbol,
        ),
        // The shape's globals share that letter (`f` of `fN`, `s` of `step-N`): the most a
        // file's names can offer.
        (
            "completion (after a global's first letter)",
            "textDocument/completion",
            session.shape.places.global,
        ),
        (
            "hover (a global)",
            "textDocument/hover",
            session.shape.places.global,
        ),
    ] {
        let measured = sampled(session, session.limits.samples, |session, _, deadline| {
            session.ready()?;
            let start = Instant::now();
            session.request(
                method,
                json!({
                    "textDocument": { "uri": URI },
                    "position": { "line": at.0, "character": at.1 },
                }),
                deadline,
            )?;
            Ok(start.elapsed())
        });
        rows.push((what, Cell::Times(measured)));
    }
    rows
}

const BURST: u32 = 30;
const BURST_GAP: Duration = Duration::from_millis(50);
/// How long memory is given to come back down after a burst.
const SETTLE: Duration = Duration::from_secs(2);

/// 30 letters typed into a symbol 50 ms apart, timed from the last key to the diagnostics of its
/// version; then the 30 letters deleted at once. Memory after the bursts and a pause.
pub(crate) fn burst(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.symbol;
    let mut published = Vec::new();
    let measured = sampled(session, 5, |session, _, deadline| {
        session.ready()?.take_published(URI);
        let first = session.version + 1;
        let mut last = first;
        let mut sent = Instant::now();
        for n in 0..BURST {
            if n > 0 {
                session.ready()?.idle(sent + BURST_GAP)?;
            }
            let letter = char::from(b'a' + (n % 26) as u8).to_string();
            sent = Instant::now();
            last = session.change(right(at, n), right(at, n), &letter)?;
        }
        session.diagnostics(last, deadline)?;
        let took = sent.elapsed();
        let seen = session.ready()?.take_published(URI);
        published.push(
            seen.iter()
                .filter(|&&v| (first..=last).contains(&v))
                .count(),
        );
        let version = session.change(at, right(at, BURST), "")?;
        session.diagnostics(version, deadline)?;
        Ok(took)
    });
    let mut rows = vec![(
        "30 keys 50 ms apart: last key → its diagnostics",
        Cell::Times(measured),
    )];
    published.sort_unstable();
    rows.push((
        "versions of the 30 published (median)",
        match published.get(published.len() / 2) {
            Some(n) => Cell::Text(format!("{n} of {BURST}")),
            None => Cell::Text("-".to_owned()),
        },
    ));
    rows.extend(settled(
        session,
        "RSS after the bursts",
        "RSS 2 s after the bursts",
    ));
    rows
}

/// Resident memory now and after a pause in which the server is idle.
fn settled(session: &mut Session<'_>, now: &'static str, later: &'static str) -> Rows {
    let Some(server) = session.server.as_mut() else {
        return vec![
            (now, Cell::Text("-".to_owned())),
            (later, Cell::Text("-".to_owned())),
        ];
    };
    let right_after = server::resident_kib(server.pid());
    let after_pause = match server.idle(Instant::now() + SETTLE) {
        Ok(()) => Cell::Kib(server::resident_kib(server.pid())),
        Err(_) => {
            session.drop_server();
            Cell::Text("killed".to_owned())
        }
    };
    vec![(now, Cell::Kib(right_after)), (later, after_pause)]
}

const OPEN_ROWS: [&str; 5] = [
    "`(` typed between forms (left open) → diagnostics",
    "each of 20 chars typed while it is open → diagnostics",
    "the closing `)` → diagnostics",
    "RSS after typing an open form",
    "RSS 2 s after typing an open form",
];

/// What is typed inside the new form before it is closed: 20 characters, no delimiters.
const INSIDE: &str = "println quick brown ";

/// `(` typed on the blank line between forms (the rest of the file is then inside it), 20
/// characters while it is open, then `)`, each keystroke until its diagnostics; then the whole
/// form deleted (not timed).
pub(crate) fn open_form(session: &mut Session<'_>) -> Rows {
    let at = session.shape.places.between;
    let cap = session.limits.cap;
    let mut opened = Measured::new(cap);
    let mut inside = Measured::new(cap);
    let mut closed = Measured::new(cap);
    let budget = Budget::new(session.limits, 3);
    let mut last = Duration::ZERO;
    let mut cycles = 0;
    while budget.another(cycles, last) {
        let start = Instant::now();
        let deadline = budget.hard;
        let mut step = |measured: &mut Measured, from: At, text: &str| match session
            .timed_change(from, from, text, deadline)
        {
            Ok(took) => {
                measured.samples.push(took);
                true
            }
            Err(stop) => {
                measured.stop = Some(stop);
                false
            }
        };
        let mut ok = step(&mut opened, at, "(");
        for (n, letter) in INSIDE.chars().enumerate() {
            ok = ok && step(&mut inside, right(at, 1 + n as u32), &letter.to_string());
        }
        let width = 1 + INSIDE.len() as u32;
        ok = ok && step(&mut closed, right(at, width), ")");
        if ok {
            ok = session
                .change(at, right(at, width + 1), "")
                .and_then(|version| session.diagnostics(version, deadline))
                .is_ok();
        }
        if !ok {
            // The rows the failed cycle never reached say why it ended.
            let stop = opened
                .stop
                .or(inside.stop)
                .or(closed.stop)
                .unwrap_or(Stop::Timeout);
            for measured in [&mut opened, &mut inside, &mut closed] {
                if measured.stop.is_none() && measured.samples.len() <= cycles {
                    measured.stop = Some(stop);
                }
            }
            let rss = session.pid().map_or(0, server::resident_kib);
            session.drop_server();
            return vec![
                (OPEN_ROWS[0], Cell::Times(opened)),
                (OPEN_ROWS[1], Cell::Times(inside)),
                (OPEN_ROWS[2], Cell::Times(closed)),
                (
                    OPEN_ROWS[3],
                    Cell::Text(if rss > 0 {
                        format!("{} MiB when stopped", rss / 1024)
                    } else {
                        "-".to_owned()
                    }),
                ),
                (OPEN_ROWS[4], Cell::Text("-".to_owned())),
            ];
        }
        cycles += 1;
        last = start.elapsed();
    }
    let mut rows = vec![
        (OPEN_ROWS[0], Cell::Times(opened)),
        (OPEN_ROWS[1], Cell::Times(inside)),
        (OPEN_ROWS[2], Cell::Times(closed)),
    ];
    rows.extend(settled(session, OPEN_ROWS[3], OPEN_ROWS[4]));
    rows
}

/// The highest peak memory of the servers that ran on this shape (for one killed over the
/// memory cap, the last reading before the kill).
pub(crate) fn peak(session: &mut Session<'_>) -> Rows {
    let now = session.server.as_ref().map_or(0, Server::peak_kib);
    let peak = session.peak_kib.max(now);
    let cell = if peak > 0 {
        Cell::Kib(peak)
    } else {
        Cell::Text("-".to_owned())
    };
    vec![("peak RSS (VmHWM) of the servers on this file", cell)]
}
