# tests of module rules
