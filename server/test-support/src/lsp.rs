//! A small JSON-RPC client over a real `yin lsp` process: Content-Length framing on its
//! stdin/stdout (the one framing every test and bench uses: [`read_message`], [`write_message`]),
//! a reader thread, and a timeout on every wait so a hung server fails the test instead of
//! hanging it.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages read while waiting for something else.
    unread: VecDeque<Value>,
    next_id: u64,
}

impl Client {
    /// Starts `binary lsp` with these environment variables set and initializes it with these
    /// `initialize` params ([`initialize_params`] for the usual ones); returns the client and
    /// the `initialize` reply.
    pub fn start(
        binary: impl AsRef<OsStr>,
        initialize: Value,
        env: &[(&str, &str)],
    ) -> (Client, Value) {
        let mut child = Command::new(binary)
            .arg("lsp")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("yin starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stdin = child.stdin.take();
        let incoming = spawn_reader(stdout);
        let mut client = Client {
            child,
            stdin,
            incoming,
            unread: VecDeque::new(),
            next_id: 1,
        };
        let reply = client.request("initialize", initialize);
        client.notify("initialized", json!({}));
        (client, reply)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns the whole response (`result` or `error` included).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Sends a request without waiting; returns its id for [`Client::response`].
    pub fn send_request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The response to request `id`, waiting for it if it has not come yet.
    pub fn response(&mut self, id: u64) -> Value {
        self.wait_for(|message| {
            message.get("id") == Some(&json!(id)) && message.get("method").is_none()
        })
    }

    /// Whether the response to request `id` has arrived (without waiting for it).
    pub fn has_response(&mut self, id: u64) -> bool {
        while let Ok(message) = self.incoming.try_recv() {
            self.unread.push_back(message);
        }
        self.unread
            .iter()
            .any(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// The next notification with `method`, skipping (and keeping) others.
    pub fn notification(&mut self, method: &str) -> Value {
        self.wait_for(|message| {
            message.get("method") == Some(&json!(method)) && message.get("id").is_none()
        })
    }

    /// Answers the server's next request with `method` with a `null` result; returns its params.
    pub fn answer(&mut self, method: &str) -> Value {
        let request = self.wait_for(|message| {
            message.get("method") == Some(&json!(method)) && message.get("id").is_some()
        });
        self.send(&json!({ "jsonrpc": "2.0", "id": request["id"], "result": null }));
        request["params"].clone()
    }

    /// The next `publishDiagnostics` for `uri` at `version`, earlier ones skipped.
    pub fn diagnostics_for(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(|message| {
            message.get("method") == Some(&json!("textDocument/publishDiagnostics"))
                && message["params"]["uri"] == json!(uri)
                && message["params"]["version"] == json!(version)
        })
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.unread.iter().position(&wanted) {
            return self.unread.remove(i).expect("index found above");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.unread.push_back(message),
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no matching message from the server within {TIMEOUT:?}; got {:#?}",
                        self.unread
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output; got {:#?}", self.unread)
                }
            }
        }
    }

    fn send(&mut self, message: &Value) {
        self.send_raw(&message.to_string());
    }

    /// The next message with a null `id` and no method: the reply to a request the server could
    /// not read.
    pub fn notification_or_response_without_id(&mut self) -> Value {
        self.wait_for(|message| {
            message.get("id") == Some(&Value::Null) && message.get("method").is_none()
        })
    }

    /// Writes `body` framed as a message, whatever it holds (malformed JSON included).
    pub fn send_raw(&mut self, body: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open until exit");
        write_message(stdin, body).expect("server reads");
    }

    /// Vanishes as a crashed editor does: closes the server's input with no `shutdown` or
    /// `exit`, and stops reading. Returns how the server ended and how long it took.
    pub fn vanish(mut self) -> (Option<i32>, Duration) {
        self.stdin = None;
        let (_, incoming) = channel();
        drop(std::mem::replace(&mut self.incoming, incoming));
        let gone = Instant::now();
        let deadline = gone + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waitable") {
                return (status.code(), gone.elapsed());
            }
            if Instant::now() > deadline {
                panic!("the server outlived its client by {TIMEOUT:?}");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits, stdin still open and unread output dropped, for the server to end on its own;
    /// returns how it ended and how long it took.
    pub fn wait_for_exit(mut self) -> (Option<i32>, Duration) {
        let (_, incoming) = channel();
        drop(std::mem::replace(&mut self.incoming, incoming));
        let started = Instant::now();
        let deadline = started + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waitable") {
                return (status.code(), started.elapsed());
            }
            if Instant::now() > deadline {
                panic!("the server outlived its client's process by {TIMEOUT:?}");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// `shutdown` (if asked) then `exit`; returns the exit code.
    pub fn exit(mut self, shutdown: bool) -> (Option<Value>, i32) {
        let reply = shutdown.then(|| self.request("shutdown", Value::Null));
        self.notify("exit", Value::Null);
        self.stdin = None;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waitable") {
                return (reply, status.code().unwrap_or(-1));
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit within {TIMEOUT:?} of `exit`");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A thread reading messages from a server's `output` until it ends or the receiver is gone.
pub fn spawn_reader(output: impl Read + Send + 'static) -> Receiver<Value> {
    let (sender, incoming) = channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(output);
        while let Some(message) = read_message(&mut reader) {
            if sender.send(message).is_err() {
                break;
            }
        }
    });
    incoming
}

/// The next message on `reader`, or `None` at its end or on a message that is not framed JSON.
pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Writes `body` framed as one message, whatever it holds (malformed JSON included), and flushes.
pub fn write_message(writer: &mut impl Write, body: &str) -> io::Result<()> {
    write!(writer, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    writer.flush()
}

/// `initialize` params with no process id and no root, offering `position_encodings` (none: the
/// LSP default, UTF-16).
pub fn initialize_params(position_encodings: &[&str]) -> Value {
    let general = if position_encodings.is_empty() {
        json!({})
    } else {
        json!({ "positionEncodings": position_encodings })
    };
    json!({ "processId": null, "rootUri": null, "capabilities": { "general": general } })
}
