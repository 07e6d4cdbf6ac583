package dialroute.calllog;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The log file and its predecessors: lines go to {@code calls.log}; when the next line would take
 * it past {@code maxBytes}, it becomes {@code calls.log.1}, older files move up one number, and the
 * one beyond {@code files - 1} is deleted, so at most {@code files} files exist. A single line
 * longer than {@code maxBytes} still gets written, alone in its file. Used by the writer thread only.
 */
final class RotatingFile implements JsonCallLog.Sink {
    private final Path file;
    private final long maxBytes;
    private final int files;
    private OutputStream out;
    private long size;

    RotatingFile(Path file, long maxBytes, int files) throws IOException {
        if (maxBytes < 1 || files < 1) {
            throw new IllegalArgumentException("need max-bytes >= 1 and files >= 1, got " + maxBytes + " and " + files);
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.files = files;
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        open();
    }

    @Override
    public void write(byte[] line) throws IOException {
        if (size > 0 && size + line.length > maxBytes) {
            rotate();
        }
        out.write(line);
        size += line.length;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void rotate() throws IOException {
        out.close();
        try {
            // With files == 1 this deletes calls.log itself: the log starts over.
            Files.deleteIfExists(numbered(files - 1));
            for (int i = files - 2; i >= 0; i--) {
                if (Files.exists(numbered(i))) {
                    Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            // Even when a move failed (say, a permission): keep appending instead of losing every later line.
            open();
        }
    }

    private void open() throws IOException {
        // FileOutputStream, not Files.newOutputStream: a channel-based stream is closed by the
        // interrupt with which JsonCallLog.close() wakes the writer, which would lose the last lines.
        out = new BufferedOutputStream(new FileOutputStream(file.toFile(), true), 64 * 1024);
        size = Files.size(file);
    }

    private Path numbered(int i) {
        return i == 0 ? file : file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public String toString() {
        return file + " (rotated at " + maxBytes + " bytes, " + files + " files kept)";
    }
}
