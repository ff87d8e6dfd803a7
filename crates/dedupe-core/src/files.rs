//! Reading a batch of input files at once (`dedupe.formats.source.prefetched`).
//!
//! In Python each file cost five system calls (open, fstat, posix_fadvise, read, close), and each released
//! the GIL and took it back: 16 µs a file on tmpfs, twice a run, and in a Dask worker every release let the
//! worker's event loop take the GIL from the batch. Here a batch is one call, without the GIL.
//!
//! Only the usual file is read: a regular file no larger than `max_size`, while the batch's reads stay
//! within `budget`. Anything else (missing, a FIFO, a folder, no permission, too large, an error) comes
//! back as `None`, and the caller reads it its own way, which says why it cannot be read. The files are
//! opened and advised (`POSIX_FADV_WILLNEED`) `hold` at a time before any is read, so that on a cold cache
//! the kernel reads them ahead together rather than one after another.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The bytes of each file, in order, or `None` where the caller must read it itself (see the module).
pub fn read_files<P: AsRef<Path>>(paths: &[P], max_size: u64, budget: u64, hold: usize) -> Vec<Option<Vec<u8>>> {
    let mut out = Vec::with_capacity(paths.len());
    let mut left = budget;
    for chunk in paths.chunks(hold.max(1)) {
        let opened: Vec<Option<(File, u64)>> = chunk
            .iter()
            .map(|path| {
                let (file, size) = open_regular(path.as_ref())?;
                if size > max_size || size > left {
                    return None;
                }
                left -= size;
                advise(&file);
                Some((file, size))
            })
            .collect();
        out.extend(opened.into_iter().map(|found| {
            let (mut file, size) = found?;
            let data = read_sized(&mut file, size).ok()?;
            (data.len() as u64 <= max_size).then_some(data)
        }));
    }
    out
}

/// A file's bytes to its end, `size` (fstat's) expected: room for one byte more is made, so that the usual file
/// is read in one call and its end seen in the next; a file that grew meanwhile is read to its end. Read through
/// `Take`, whose `read_to_end` fills the vector's spare room as it is, without zeroing it first (a buffer of
/// zeros for each file was 0.5% of a run's instructions), and without `File::read_to_end`'s asking the file's
/// size and position again (two more system calls a file, four a document a run).
fn read_sized(file: &mut impl Read, size: u64) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::with_capacity(size as usize + 1);
    file.take(u64::MAX).read_to_end(&mut data)?;
    Ok(data)
}

/// A regular file opened for reading, with its size. Non-blocking, so that a FIFO opens at once (and is
/// refused as not regular); symlinks are followed, as Python's open follows them.
#[cfg(unix)]
fn open_regular(path: &Path) -> Option<(File, u64)> {
    use rustix::fs::{open, Mode, OFlags};
    let fd = open(path, OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC, Mode::empty()).ok()?;
    let file = File::from(fd);
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta.len()))
}

#[cfg(not(unix))]
fn open_regular(_path: &Path) -> Option<(File, u64)> {
    None // the caller reads every file itself
}

/// Each file's size and modification time in nanoseconds, as Python's `os.stat` gives them (symlinks followed),
/// or `(-1, -1)` where it fails: the resume fingerprint of a run's inputs (`dedupe.resume.fingerprint`).
///
/// `names` are paths relative to `base`, each ended by a NUL (one buffer: a Python string a path to convert
/// cost what the calls saved). The system call, 1.5 µs a file on tmpfs, is most of it; Python's loop around
/// `os.stat` was as much again.
#[cfg(unix)]
pub fn stat_files(base: &Path, names: &[u8]) -> Vec<(i64, i64)> {
    use std::os::unix::fs::MetadataExt;

    paths_in(base, names)
        .iter()
        .map(|path| match std::fs::metadata(path) {
            Ok(m) => (m.size() as i64, m.mtime() * 1_000_000_000 + m.mtime_nsec()),
            Err(_) => (-1, -1),
        })
        .collect()
}

/// The paths of `names` (each ended by a NUL, as the file system's bytes) under `base`, as `os.path.join` makes
/// them: the caller hands a batch's names over as one buffer rather than a list of joined paths.
#[cfg(unix)]
pub fn paths_in(base: &Path, names: &[u8]) -> Vec<std::path::PathBuf> {
    use std::os::unix::ffi::OsStrExt;

    let mut names: Vec<&[u8]> = names.split(|&b| b == 0).collect();
    names.pop(); // (after the last NUL: nothing)
    names
        .iter()
        .map(|name| base.join(std::ffi::OsStr::from_bytes(name)))
        .collect()
}

/// Off Unix no file is read nor stat'ed here (the caller does it): the names as text, for their number.
#[cfg(not(unix))]
pub fn paths_in(base: &Path, names: &[u8]) -> Vec<std::path::PathBuf> {
    let mut names: Vec<&[u8]> = names.split(|&b| b == 0).collect();
    names.pop();
    names
        .iter()
        .map(|name| base.join(String::from_utf8_lossy(name).as_ref()))
        .collect()
}

/// Off Unix the caller stats the files itself (`os.stat`'s times there are not these).
#[cfg(not(unix))]
pub fn stat_files(_base: &Path, names: &[u8]) -> Vec<(i64, i64)> {
    vec![(-1, -1); names.iter().filter(|&&b| b == 0).count()]
}

/// Asks the kernel to read the whole file ahead; only a hint, so a failure is ignored.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
fn advise(file: &File) {
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::WillNeed);
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
fn advise(_file: &File) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs;
    use std::path::PathBuf;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dedupe-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn names_are_joined_to_the_base_as_os_path_join_joins_them() {
        let got = paths_in(Path::new("/in"), b"a.txt\0sub/b c.txt\0/abs/d.txt\0\xe9.txt\0");
        let want: Vec<PathBuf> = ["/in/a.txt", "/in/sub/b c.txt", "/abs/d.txt"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(got[..3], want[..]);
        assert_eq!(got[3].as_os_str().len(), "/in/".len() + 5);
        assert!(paths_in(Path::new("/in"), b"").is_empty());
    }

    #[test]
    fn reads_regular_files_in_order_and_leaves_the_rest_to_the_caller() {
        let dir = folder("order");
        fs::write(dir.join("a.txt"), b"alpha\n").unwrap();
        fs::write(dir.join("empty.txt"), b"").unwrap();
        fs::create_dir(dir.join("sub")).unwrap();
        std::os::unix::fs::symlink(dir.join("a.txt"), dir.join("link")).unwrap();
        std::os::unix::fs::symlink(dir.join("gone"), dir.join("dangling")).unwrap();
        let names = ["a.txt", "missing", "sub", "empty.txt", "link", "dangling", "a.txt"];
        let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
        for hold in [1, 2, 100] {
            let read = read_files(&paths, 1 << 20, 1 << 30, hold);
            let want: Vec<Option<Vec<u8>>> = vec![
                Some(b"alpha\n".to_vec()),
                None,
                None,
                Some(Vec::new()),
                Some(b"alpha\n".to_vec()),
                None,
                Some(b"alpha\n".to_vec()),
            ];
            assert_eq!(read, want, "hold {hold}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stats_are_each_files_size_and_time_as_os_stat_gives_them() {
        use std::os::unix::fs::MetadataExt;
        let dir = folder("stat");
        fs::create_dir(dir.join("sub")).unwrap();
        fs::write(dir.join("sub/a.txt"), b"alpha\n").unwrap();
        fs::write(dir.join("b c.txt"), b"").unwrap();
        std::os::unix::fs::symlink(dir.join("sub/a.txt"), dir.join("link")).unwrap();
        std::os::unix::fs::symlink(dir.join("gone"), dir.join("dangling")).unwrap();
        let meta = fs::metadata(dir.join("sub/a.txt")).unwrap();
        let a = (6, meta.mtime() * 1_000_000_000 + meta.mtime_nsec());
        let b = fs::metadata(dir.join("b c.txt")).unwrap();
        let b = (0, b.mtime() * 1_000_000_000 + b.mtime_nsec());
        let names = b"sub/a.txt\0missing\0b c.txt\0link\0dangling\0sub/a.txt\0";
        assert_eq!(stat_files(&dir, names), vec![a, (-1, -1), b, a, (-1, -1), a]);
        assert!(stat_files(&dir, b"").is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_past_the_size_or_the_budget_is_left_to_the_caller() {
        let dir = folder("sizes");
        fs::write(dir.join("small"), b"12345").unwrap();
        fs::write(dir.join("large"), vec![b'x'; 100]).unwrap();
        let paths = [
            dir.join("small"),
            dir.join("large"),
            dir.join("small"),
            dir.join("small"),
        ];
        assert_eq!(
            read_files(&paths, 50, 1 << 20, 8),
            vec![
                Some(b"12345".to_vec()),
                None,
                Some(b"12345".to_vec()),
                Some(b"12345".to_vec())
            ]
        );
        // The budget is spent in order: the third small file no longer fits.
        assert_eq!(
            read_files(&paths, 1000, 109, 8),
            vec![Some(b"12345".to_vec()), Some(vec![b'x'; 100]), None, None]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A reader that gives at most `step` bytes a call, and is interrupted once before its first byte.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        interrupted: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_file_is_read_to_its_end_whatever_size_fstat_gave() {
        let text: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        for (size, step) in [
            (1000, 4096),
            (1000, 7),
            (0, 1000),
            (10, 3),
            (999, 1000),
            (5000, 64),
            (1000, 1),
        ] {
            let mut reader = Trickle {
                data: &text,
                step,
                interrupted: false,
            };
            assert_eq!(read_sized(&mut reader, size).unwrap(), text, "size {size}, step {step}");
        }
        let mut empty = Trickle {
            data: b"",
            step: 8,
            interrupted: false,
        };
        assert!(read_sized(&mut empty, 100).unwrap().is_empty());
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = folder("fifo");
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.map(|s| s.success()).unwrap_or(false) {
            eprintln!("skipped: no mkfifo on this machine");
            return;
        }
        assert_eq!(read_files(&[fifo], 1 << 20, 1 << 20, 4), vec![None]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
