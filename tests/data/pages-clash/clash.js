// Ends a C++ raw string delimited by restorelab_page: embed_pages.cmake must refuse it.
const end = ')restorelab_page"';
