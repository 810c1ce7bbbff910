# par (src/par): decomposition, ordered reduction, chunk store, job scan; under mpirun too
check_PROGRAMS += tests/test_par
tests_test_par_SOURCES = tests/test_par.c tests/testutil.h
tests_test_par_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_par_LDADD = $(TEST_LDADD)
TESTS += tests/test_par
# feynn nnft sample killed and resumed (--checkpoint), alone; and on 1, 2, 3 MPI ranks against
# the serial command, byte for byte (skipped without MPI)
TESTS += tests/test_par_resume.sh tests/test_mpi.sh
EXTRA_DIST += tests/test_par_resume.sh tests/test_mpi.sh
