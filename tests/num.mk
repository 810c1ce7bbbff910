# tests of module num
