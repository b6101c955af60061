//! Standard output for the commands: a reader that closes the pipe early
//! (`weir alerts | head`) ends the command quietly, as other command-line tools do,
//! instead of a panic from `println!`.

use std::io::Write;

/// Writes `args` and a line end to standard output; exits with status 0 when the
/// reader has gone (broken pipe).
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut o = std::io::stdout().lock();
    let r = o.write_fmt(args).and_then(|()| o.write_all(b"\n"));
    if let Err(e) = r {
        exit_if_gone(&e);
    }
}

/// Exits quietly (status 0) when `e` says the reader of standard output has gone.
pub fn exit_if_gone(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
}

/// `println!` that ends the command quietly when the reader has gone.
macro_rules! outln {
    () => { $crate::out::line(format_args!("")) };
    ($($t:tt)*) => { $crate::out::line(format_args!($($t)*)) };
}
pub(crate) use outln;
