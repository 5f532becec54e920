create table ok_table (id bigint primary key);
create table broken (id bigint primary key, id bigint);
