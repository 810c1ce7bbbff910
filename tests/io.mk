# tests of module io
