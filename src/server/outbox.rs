//! What the server has yet to write to one desk: encoded frames in order,
//! bounded in bytes, and who is looking where, kept as the latest only. A
//! flood of presence changes replaces one frame; it never queues, and a
//! frame the same for every desk is encoded once and shared.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::desk::wire::{encode_frame, ServerMsg};

/// Bytes a desk may fall behind by before it is dropped from the stream
/// (it resynchronises when it reconnects). A window's change is a few
/// kilobytes; a desk that does not read for this long is gone.
pub(super) const MAX_BEHIND_BYTES: usize = 4 << 20;

/// One encoded frame, shared by every desk it goes to.
pub(super) type Frame = Arc<[u8]>;

/// Encodes `msg` once, for as many desks as get it (None: it cannot be
/// encoded, which no protocol message does; nothing is sent then).
pub(super) fn frame(msg: &ServerMsg) -> Option<Frame> {
    encode_frame(msg).ok().map(Into::into)
}

#[derive(Default)]
pub(super) struct Outbox {
    queued: Mutex<Queued>,
    ready: Condvar,
}

#[derive(Default)]
struct Queued {
    frames: VecDeque<Frame>,
    bytes: usize,
    /// The latest presence not yet written (replaced, never queued).
    presence: Option<Frame>,
    /// Nothing more is taken; what is queued is still written.
    closed: bool,
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, Queued> {
        self.queued.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a frame; false (and closed) when the desk is too far behind.
    pub(super) fn send(&self, frame: Frame) -> bool {
        let mut q = self.lock();
        if q.closed {
            return false;
        }
        if q.bytes + frame.len() > MAX_BEHIND_BYTES {
            q.closed = true;
            self.ready.notify_one();
            return false;
        }
        q.bytes += frame.len();
        q.frames.push_back(frame);
        self.ready.notify_one();
        true
    }

    /// Replaces the presence still to be written with `frame`.
    pub(super) fn set_presence(&self, frame: Frame) {
        let mut q = self.lock();
        if !q.closed {
            q.presence = Some(frame);
            self.ready.notify_one();
        }
    }

    /// Takes nothing more; the writer ends once the queue is written.
    pub(super) fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_one();
    }

    /// The next frame to write, waiting for one; None once closed and empty.
    pub(super) fn next(&self) -> Option<Frame> {
        let mut q = self.lock();
        loop {
            if let Some(f) = q.frames.pop_front() {
                q.bytes -= f.len();
                return Some(f);
            }
            if let Some(p) = q.presence.take() {
                return Some(p);
            }
            if q.closed {
                return None;
            }
            q = self.ready.wait(q).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Bytes queued now (frames, and the presence waiting).
    #[cfg(test)]
    fn held(&self) -> usize {
        let q = self.lock();
        q.bytes + q.presence.as_ref().map_or(0, |p| p.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize) -> Frame {
        vec![0u8; n].into()
    }

    #[test]
    fn presence_is_replaced_not_queued() {
        let o = Outbox::default();
        for _ in 0..10_000 {
            o.set_presence(bytes(1000));
        }
        assert_eq!(o.held(), 1000);
        assert!(o.send(bytes(10)));
        // Frames in order first, then the one presence.
        assert_eq!(o.next().map(|f| f.len()), Some(10));
        assert_eq!(o.next().map(|f| f.len()), Some(1000));
        o.close();
        assert!(o.next().is_none());
    }

    #[test]
    fn a_desk_too_far_behind_is_closed_and_its_queue_still_written() {
        let o = Outbox::default();
        let mut sent = 0;
        while o.send(bytes(64 << 10)) {
            sent += 1;
        }
        assert_eq!(sent, MAX_BEHIND_BYTES / (64 << 10));
        assert!(o.held() <= MAX_BEHIND_BYTES);
        assert!(!o.send(bytes(1)), "closed stays closed");
        let mut written = 0;
        while o.next().is_some() {
            written += 1;
        }
        assert_eq!(written, sent);
    }
}
