//! What the tests driving the analysis host share: a host as the server makes one, and a
//! document opened in it.

use std::sync::Mutex;

use analysis::SourceFile;
use analysis::host::{self, AnalysisHost, Change, HostConfig};
use syntax::PositionEncoding;

/// The key of the one document these tests open.
pub(crate) const KEY: &str = "file:///t.yin";

/// A host with no document open, its positions in UTF-8.
pub(crate) fn host() -> Mutex<AnalysisHost> {
    Mutex::new(AnalysisHost::new(HostConfig {
        encoding: PositionEncoding::Utf8,
        extra_rules: None,
    }))
}

/// Opens `text` as [`KEY`] at version 1.
pub(crate) fn open(host: &Mutex<AnalysisHost>, text: &str) {
    host::lock(host).apply(Change::Open {
        key: KEY.to_owned(),
        path: None,
        version: 1,
        file: SourceFile::from_text(text),
    });
}
