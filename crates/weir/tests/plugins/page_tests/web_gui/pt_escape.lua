-- Tries to read a file outside the plugin: refused.
dofile("../../../../../../etc/passwd")
