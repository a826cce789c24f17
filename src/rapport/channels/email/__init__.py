"""E-mail: ``.eml`` files, folders of them, and ``mbox`` mailboxes."""
