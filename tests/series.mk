# tests of module series
