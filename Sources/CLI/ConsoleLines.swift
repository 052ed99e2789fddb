import Foundation

/// One line on stdout, written at once (stdout is usually a pipe for tests and localnet).
func sayLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// One line on stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
