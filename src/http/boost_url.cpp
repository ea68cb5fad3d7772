// Boost.URL's compiled part, built here from its headers: Debian ships Boost.URL 1.81 without a
// library to link, and this keeps its cost in one file that rarely changes.
#include <boost/url/src.hpp>
