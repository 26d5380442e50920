//! The server's input, checked one message at a time before tower-lsp-server reads it.
//!
//! tower-lsp-server answers a message it cannot decode and then stops reading (its framed
//! reader ends at the first decoding error), so one bad message from a client would end the
//! server. Here every body is first decoded as tower-lsp-server will decode it, a JSON-RPC
//! request or response. A body that is not JSON, or JSON that is no message, is passed on as a
//! request of the reserved method [`MALFORMED`] carrying the error to answer, with the
//! message's `id` when it has a usable one and `null` otherwise; [`AnswerMalformed`], the layer
//! around the service, answers it with that error (`-32700` parse error or `-32600` invalid
//! request, as JSON-RPC 2.0 asks) before the router sees it. Header blocks without a usable
//! `Content-Length` and bodies past [`MAX_BODY`] cannot be answered (their extent is unknown,
//! or reading them is refused) and are skipped with a line on stderr.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::oneshot;
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};

/// The method a malformed message becomes; no client can send it, since it is not a valid LSP
/// method name (`$/` is the protocol's, and this one is unknown to it).
const MALFORMED: &str = "$/yin/malformedMessage";

/// The largest body read: a bigger `Content-Length` is a broken client, not a document.
const MAX_BODY: usize = 512 * 1024 * 1024;

/// The longest header line kept: LSP has two short headers, so a longer line is garbage, read
/// through without being stored.
const MAX_HEADER_LINE: usize = 1024;

/// Reads `input` (the server's stdin), checks each message, and returns the stream
/// tower-lsp-server should read instead, and a receiver that completes when `input` ended. The
/// checking runs as a task on the current runtime; it ends, closing the stream, when `input`
/// ends.
pub(crate) fn checked<R>(input: R) -> (DuplexStream, oneshot::Receiver<()>)
where
    R: AsyncRead + Unpin + Send + 'static,
{
    let (mut checked, reader) = tokio::io::duplex(64 * 1024);
    let (ended, input_ended) = oneshot::channel();
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        // Ends at the end of the input, or when the server stopped reading.
        while let Ok(Some(body)) = next_body(&mut input).await {
            let body = match check(&body) {
                Ok(()) => body,
                Err(malformed) => malformed,
            };
            let header = format!("Content-Length: {}\r\n\r\n", body.len());
            if checked.write_all(header.as_bytes()).await.is_err()
                || checked.write_all(&body).await.is_err()
            {
                break;
            }
        }
        let _ = ended.send(());
    });
    (reader, input_ended)
}

/// The next message's body; `None` at the end of the input.
async fn next_body<R: AsyncRead + Unpin>(input: &mut BufReader<R>) -> io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let Some(cut) = header_line(input, &mut line).await? else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if !text.is_empty() {
            if let Some((name, value)) = text.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                length = if cut { None } else { value.trim().parse().ok() };
                if length.is_none() {
                    log(&format!(
                        "ignored a header with an unreadable length: `{}`",
                        edn::excerpt(text)
                    ));
                }
            }
            // Other headers (`Content-Type`) need nothing; anything else is skipped up to
            // the next header block.
            continue;
        }
        match length {
            None => log("ignored a header block without Content-Length"),
            Some(n) if n > MAX_BODY => {
                log(&format!(
                    "skipped a message of {n} bytes (the limit is {MAX_BODY})"
                ));
                tokio::io::copy(&mut (&mut *input).take(n as u64), &mut tokio::io::sink()).await?;
                length = None;
            }
            Some(n) => {
                let mut body = vec![0; n];
                input.read_exact(&mut body).await?;
                return Ok(Some(body));
            }
        }
    }
}

/// Reads one header line into `line`, keeping at most [`MAX_HEADER_LINE`] bytes of it and
/// reading the rest through; `Some(true)` when it was cut, `None` at the end of the input.
async fn header_line<R: AsyncRead + Unpin>(
    input: &mut BufReader<R>,
    line: &mut Vec<u8>,
) -> io::Result<Option<bool>> {
    let mut cut = false;
    loop {
        let buffer = input.fill_buf().await?;
        if buffer.is_empty() {
            return Ok((!line.is_empty() || cut).then_some(cut));
        }
        let (taken, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(end) => (end + 1, true),
            None => (buffer.len(), false),
        };
        let room = MAX_HEADER_LINE.saturating_sub(line.len());
        line.extend_from_slice(&buffer[..taken.min(room)]);
        cut |= taken > room;
        input.consume(taken);
        if done {
            return Ok(Some(cut));
        }
    }
}

/// `Ok` for a body tower-lsp-server decodes; otherwise the [`MALFORMED`] request answering it.
fn check(body: &[u8]) -> Result<(), Vec<u8>> {
    if serde_json::from_slice::<Request>(body).is_ok()
        || serde_json::from_slice::<Response>(body).is_ok()
    {
        return Ok(());
    }
    let (id, code, message) = match serde_json::from_slice::<Value>(body) {
        Err(err) => (
            Value::Null,
            ErrorCode::ParseError,
            format!("parse error: {err}"),
        ),
        Ok(value) => {
            // An id the client can match the answer to; else `null`, as JSON-RPC says. The
            // answer is itself decoded by tower-lsp-server, whose ids are strings and `i64`s: an
            // id such as `1.5` or `2^63` must not be carried over, or the answer would be as
            // undecodable as the message and end the server.
            let id = match value.get("id") {
                Some(id) if serde_json::from_value::<Id>(id.clone()).is_ok() => id.clone(),
                _ => Value::Null,
            };
            let message = "invalid request: not a JSON-RPC 2.0 request, notification or response";
            (id, ErrorCode::InvalidRequest, message.to_owned())
        }
    };
    log(&message);
    let request = json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": MALFORMED,
        "params": {"code": code.code(), "message": message},
    });
    Err(request.to_string().into_bytes())
}

fn log(message: &str) {
    // stderr is the server log for LSP clients.
    crate::cli::report_error(&format!("lsp input: {message}"));
}

/// Answers the [`MALFORMED`] requests [`checked`] makes; passes everything else to `S`.
pub(crate) struct AnswerMalformed<S> {
    inner: S,
}

impl<S> AnswerMalformed<S> {
    pub(crate) fn new(inner: S) -> AnswerMalformed<S> {
        AnswerMalformed { inner }
    }
}

type Answer<E> = Result<Option<Response>, E>;

impl<S> Service<Request> for AnswerMalformed<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Answer<S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() != MALFORMED {
            return Box::pin(self.inner.call(request));
        }
        let (_, id, params) = request.into_parts();
        let params = params.unwrap_or_default();
        let code = params["code"]
            .as_i64()
            .unwrap_or(ErrorCode::InvalidRequest.code());
        let error = Error {
            code: ErrorCode::from(code),
            message: params["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
                .into(),
            data: None,
        };
        let answer = Response::from_error(id.unwrap_or(Id::Null), error);
        Box::pin(std::future::ready(Ok(Some(answer))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn bodies(input: &[u8]) -> Vec<String> {
        let mut input = BufReader::new(input);
        let mut out = Vec::new();
        // A body cut short by the end of the input ends the reading, as the end does.
        while let Ok(Some(body)) = next_body(&mut input).await {
            out.push(String::from_utf8_lossy(&body).into_owned());
        }
        out
    }

    #[tokio::test]
    async fn header_garbage_is_skipped_up_to_the_next_header_block() {
        let input = b"garbage line\r\n\r\nContent-Length: 2\r\n\r\n{}\
            Content-Length: many\r\n\r\n\
            Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 3\r\n\r\n[1]\
            Content-Length: 10\r\n\r\n{\"cut";
        assert_eq!(bodies(input).await, ["{}", "[1]"]);
    }

    #[test]
    fn malformed_bodies_become_requests_carrying_their_answer() {
        let answer = |body: &str| {
            check(body.as_bytes()).map_err(|request| String::from_utf8_lossy(&request).into_owned())
        };
        assert_eq!(
            answer(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#),
            Ok(())
        );
        assert_eq!(answer(r#"{"jsonrpc":"2.0","id":1,"result":null}"#), Ok(()));
        let request = |body: &str| -> Value {
            let request = answer(body).expect_err("malformed");
            serde_json::from_str(&request).expect("a request")
        };
        let not_json = request("{\"id\": 3,");
        assert_eq!(not_json["id"], Value::Null);
        assert_eq!(not_json["method"], MALFORMED);
        assert_eq!(not_json["params"]["code"], -32700);
        let no_version = request(r#"{"id": "a", "method": "shutdown"}"#);
        assert_eq!(no_version["id"], "a");
        assert_eq!(no_version["params"]["code"], -32600);
        assert_eq!(request(r#"{"id": [1], "method": 7}"#)["id"], Value::Null);
    }
}
