"""One module per table; each function runs one file of sql/<table>/ and returns Structs."""
