# tests of module graph
