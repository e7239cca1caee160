"""The evidence trail (证据链): the audit record every write leaves, the hash chains that make
tampering visible, the node's signing key and the signed checkpoints that outlive a database
writer, and the database triggers that keep the log tables append-only."""
