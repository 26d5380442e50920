//! Parsing a whole new text's chunks on two threads.
//!
//! Opening a file parses every chunk afresh, and chunks are parsed on their own by
//! construction, so the two halves of a large text are parsed at once, each thread with its own
//! tree-sitter parser (the parser is per thread). The chunks are those of
//! [`parse_chunks_serially`], in the same order: the same function of the same bytes.

use std::sync::Arc;

use ropey::Rope;

use super::Chunk;
use crate::{parse, threads};

/// The chunks of `bounds` (`(start, end)` pairs covering `rope`), each parsed afresh: on two
/// threads, split by bytes, when the text is large and the machine has a second core; on this
/// one otherwise, or if a second thread cannot be started.
pub(super) fn parse_chunks(rope: &Rope, bounds: &[(usize, usize)]) -> Vec<Chunk> {
    let len = rope.len_bytes();
    let parallel = bounds.len() > 1 && threads::worth_a_second_thread(len);
    if !parallel {
        return parse_chunks_serially(rope, bounds);
    }
    let half = bounds
        .partition_point(|&(start, _)| start < len / 2)
        .clamp(1, bounds.len() - 1);
    let (first, second) = bounds.split_at(half);
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .name("yin-parse".to_owned())
            .spawn_scoped(scope, || parse_chunks_serially(rope, second));
        let mut chunks = parse_chunks_serially(rope, first);
        match other.map(|thread| thread.join()) {
            Ok(Ok(rest)) => chunks.extend(rest),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => chunks.extend(parse_chunks_serially(rope, second)),
        }
        chunks
    })
}

/// The chunks of `bounds`, each parsed afresh, in order, on this thread.
fn parse_chunks_serially(rope: &Rope, bounds: &[(usize, usize)]) -> Vec<Chunk> {
    bounds
        .iter()
        .map(|&(start, end)| {
            Chunk::new(
                start,
                end - start,
                Arc::new(parse::parse_range(rope, start, end, None)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::chunk_bounds;

    /// Every node of `chunks`' trees in preorder: kind, extent, points and error flags.
    fn nodes(chunks: &[Chunk]) -> Vec<String> {
        let mut out = Vec::new();
        for chunk in chunks {
            out.push(format!(
                "chunk {}..{} {}",
                chunk.start(),
                chunk.end(),
                chunk.has_error()
            ));
            let mut cursor = chunk.tree().walk();
            'walk: loop {
                let node = cursor.node();
                out.push(format!(
                    "{} {:?} {:?}..{:?} missing={} error={}",
                    node.kind(),
                    node.byte_range(),
                    node.start_position(),
                    node.end_position(),
                    node.is_missing(),
                    node.is_error()
                ));
                if cursor.goto_first_child() || cursor.goto_next_sibling() {
                    continue;
                }
                loop {
                    if !cursor.goto_parent() {
                        break 'walk;
                    }
                    if cursor.goto_next_sibling() {
                        break;
                    }
                }
            }
        }
        out
    }

    fn assert_same_as_serial(text: &str) {
        let rope = Rope::from_str(text);
        let bounds = chunk_bounds(&rope);
        assert!(text.len() >= threads::PARALLEL_BYTES && bounds.len() > 1);
        let parallel = nodes(&parse_chunks(&rope, &bounds));
        let serial = nodes(&parse_chunks_serially(&rope, &bounds));
        assert_eq!(parallel.len(), serial.len());
        assert!(
            parallel == serial,
            "the parallel parse differs from the serial one"
        );
    }

    #[test]
    fn the_corpus_parses_as_it_does_on_one_thread() {
        assert_same_as_serial(&test_support::corpus::examples_joined());
    }

    #[test]
    fn a_generated_file_parses_as_it_does_on_one_thread() {
        assert_same_as_serial(&test_support::generated::source(10_000));
    }

    #[test]
    fn broken_text_parses_as_it_does_on_one_thread() {
        // Unclosed forms and strings on both sides of the middle.
        let mut text = String::new();
        for n in 0..4_000 {
            match n % 500 {
                7 => text.push_str("(defn broken [x\n  (let [y {:a (+ 1 2\n"),
                300 => text.push_str("(def s \"open string\n"),
                _ => text.push_str(&format!("(defn f{n} [x] (+ x {n}))\n")),
            }
        }
        assert_same_as_serial(&text);
    }
}
