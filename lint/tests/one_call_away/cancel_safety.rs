//! `select!` branches in loops that call the crate's own `async fn`s built on operations that are not cancel-safe.
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

async fn read_frame(socket: &mut TcpStream, header: &mut [u8; 4]) -> std::io::Result<()> {
    socket.read_exact(header).await?;
    Ok(())
}

async fn read_message(socket: &mut TcpStream, header: &mut [u8; 4]) -> std::io::Result<()> {
    read_frame(socket, header).await
}

async fn read_len(socket: &mut TcpStream) -> std::io::Result<u32> {
    socket.read_u32().await
}

async fn next_line(reader: &mut tokio::io::BufReader<TcpStream>, line: &mut String) -> std::io::Result<usize> {
    reader.read_line(line).await
}

async fn send_all(socket: &mut TcpStream, payload: &[u8]) -> std::io::Result<()> {
    socket.write_all(payload).await
}

// Cancel-safe look-alikes.
async fn read_some(socket: &mut TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    socket.read(buf).await
}

async fn read_byte(socket: &mut TcpStream) -> std::io::Result<u8> {
    socket.read_u8().await
}

async fn spawns_the_read(mut socket: TcpStream) {
    tokio::spawn(async move {
        let mut header = [0; 4];
        let _ = socket.read_exact(&mut header).await;
    });
}

async fn allowed_read(socket: &mut TcpStream, header: &mut [u8; 4]) -> std::io::Result<()> {
    socket.read_exact(header).await?; // asyncheck: allow(select_not_cancel_safe) frames are re-synced by the caller
    Ok(())
}

struct Conn {
    socket: TcpStream,
    header: [u8; 4],
}

impl Conn {
    async fn read_header(&mut self) -> std::io::Result<()> {
        self.socket.read_exact(&mut self.header).await?;
        Ok(())
    }

    async fn poll_once(&mut self) -> std::io::Result<usize> {
        let mut buf = [0; 64];
        self.socket.read(&mut buf).await
    }

    async fn run(&mut self, mut rx: mpsc::Receiver<u8>) {
        loop {
            tokio::select! {
                r = self.read_header() => { let _ = r; } //~ select_not_cancel_safe
                _ = rx.recv() => {}
            }
            tokio::select! {
                r = Self::read_header(self) => { let _ = r; } //~ select_not_cancel_safe
                _ = rx.recv() => {}
            }
            tokio::select! {
                r = self.poll_once() => { let _ = r; }
                _ = rx.recv() => {}
            }
        }
    }
}

async fn serve(
    mut socket: TcpStream,
    mut reader: tokio::io::BufReader<TcpStream>,
    mut rx: mpsc::Receiver<Vec<u8>>,
    mut ticks: tokio::time::Interval,
) {
    let mut header = [0; 4];
    let mut line = String::new();
    let mut buf = [0; 64];
    loop {
        tokio::select! {
            r = read_frame(&mut socket, &mut header) => { let _ = r; } //~ select_not_cancel_safe
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = read_message(&mut socket, &mut header) => { let _ = r; } //~ select_not_cancel_safe
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = read_len(&mut socket) => { let _ = r; } //~ select_not_cancel_safe
            Some(msg) = rx.recv() => { let _ = msg; }
        }
        tokio::select! {
            r = next_line(&mut reader, &mut line) => { let _ = r; } //~ select_not_cancel_safe
            _ = ticks.tick() => {}
        }
        tokio::select! {
            Some(msg) = rx.recv() => { let _ = send_all(&mut socket, &msg).await; }
            r = send_all(&mut socket, b"ping") => { let _ = r; } //~ select_not_cancel_safe
        }
        tokio::select! {
            r = reader.read_line(&mut line) => { let _ = r; } //~ select_not_cancel_safe
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = socket.read_u64_le() => { let _ = r; } //~ select_not_cancel_safe
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = (read_frame(&mut socket, &mut header)) => { let _ = r; } //~ select_not_cancel_safe
            _ = ticks.tick() => {}
        }

        // Clean look-alikes.
        tokio::select! {
            r = read_some(&mut socket, &mut buf) => { let _ = r; }
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = read_byte(&mut socket) => { let _ = r; }
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = socket.read_u8() => { let _ = r; }
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = reader.read_until(b'\n', &mut buf.to_vec()) => { let _ = r; }
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = spawns_the_read(TcpStream::connect("x").await.unwrap()) => { let _ = r; }
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = allowed_read(&mut socket, &mut header) => { let _ = r; }
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = read_frame(&mut socket, &mut header) => { let _ = r; break; }
            _ = ticks.tick() => break,
        }
    }
    // Not in a loop: nothing else runs it again.
    tokio::select! {
        r = read_frame(&mut socket, &mut header) => { let _ = r; }
        _ = ticks.tick() => {}
    }
    let frame = read_frame(&mut socket, &mut header);
    tokio::pin!(frame);
    loop {
        tokio::select! {
            r = &mut frame => { let _ = r; }
            _ = ticks.tick() => {}
        }
    }
}
