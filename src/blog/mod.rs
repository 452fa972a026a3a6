//! The public blog. The foundation serves its home page; articles come next.

pub mod routes;
