# tests of module draw
